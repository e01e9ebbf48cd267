import { Module } from '@nestjs/common';
import { TenantDirectoryService } from './tenant-directory.service';

/** Imported by the users, competencies and configurations modules; depends on nothing but the (global) database. */
@Module({
  providers: [TenantDirectoryService],
  exports: [TenantDirectoryService],
})
export class TenantDirectoryModule {}
