import { Module } from '@nestjs/common';
import { SessionsModule } from '../sessions/sessions.module';
import { TenantDirectoryModule } from '../tenants/tenant-directory.module';
import { BootstrapAccountsService } from './bootstrap-accounts.service';
import { UserManagementService } from './user-management.service';
import { UsersController } from './users.controller';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

@Module({
  imports: [SessionsModule, TenantDirectoryModule],
  controllers: [UsersController],
  providers: [UsersService, UserManagementService, BootstrapAccountsService, UsersRepository],
  exports: [UsersService, UserManagementService],
})
export class UsersModule {}
