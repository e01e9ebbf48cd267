import { Module } from '@nestjs/common';
import { SessionsModule } from '../sessions/sessions.module';
import { TenantDirectoryModule } from '../tenants/tenant-directory.module';
import { BootstrapAccountsService } from './bootstrap-accounts.service';
import { UserAdministrationService } from './user-administration.service';
import { UsersController } from './users.controller';
import { UsersRepository } from './users.repository';
import { UserAccountsService } from './user-accounts.service';

@Module({
  imports: [SessionsModule, TenantDirectoryModule],
  controllers: [UsersController],
  providers: [UserAccountsService, UserAdministrationService, BootstrapAccountsService, UsersRepository],
  exports: [UserAccountsService, UserAdministrationService],
})
export class UsersModule {}
