import { Module } from '@nestjs/common';
import { TenantDirectoryModule } from '../../tenants/tenant-directory.module';
import { TestsController } from './tests.controller';
import { TestsRepository } from './tests.repository';
import { TestsService } from './tests.service';

/** Tests and their versions. Exports TestsService: invitations and taking a test load versions through it. */
@Module({
  imports: [TenantDirectoryModule],
  controllers: [TestsController],
  providers: [TestsService, TestsRepository],
  exports: [TestsService],
})
export class TestsModule {}
