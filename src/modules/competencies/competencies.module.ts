import { Module } from '@nestjs/common';
import { TenantDirectoryModule } from '../tenants/tenant-directory.module';
import { CompetenciesController } from './competencies.controller';
import { CompetenciesRepository } from './competencies.repository';
import { CompetenciesService } from './competencies.service';

@Module({
  imports: [TenantDirectoryModule],
  controllers: [CompetenciesController],
  providers: [CompetenciesService, CompetenciesRepository],
  exports: [CompetenciesService],
})
export class CompetenciesModule {}
