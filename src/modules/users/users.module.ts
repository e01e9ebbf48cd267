import { Module } from '@nestjs/common';
import { SessionsModule } from '../sessions/sessions.module';
import { BootstrapAccountsService } from './bootstrap-accounts.service';
import { UsersService } from './users.service';

@Module({
  imports: [SessionsModule],
  providers: [UsersService, BootstrapAccountsService],
  exports: [UsersService],
})
export class UsersModule {}
