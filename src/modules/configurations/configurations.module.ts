import { Module } from '@nestjs/common';
import { TenantDirectoryModule } from '../tenants/tenant-directory.module';
import { ConfigurationsController } from './configurations.controller';
import { ConfigurationsRepository } from './configurations.repository';
import { ConfigurationsService } from './configurations.service';

/** Exports ConfigurationsService so submissions can record the configuration version in force (effectiveFor). */
@Module({
  imports: [TenantDirectoryModule],
  controllers: [ConfigurationsController],
  providers: [ConfigurationsService, ConfigurationsRepository],
  exports: [ConfigurationsService],
})
export class ConfigurationsModule {}
