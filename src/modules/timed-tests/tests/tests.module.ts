import { Module } from '@nestjs/common';
import { TestsRepository } from './tests.repository';
import { TestsService } from './tests.service';

@Module({
  providers: [TestsService, TestsRepository],
  exports: [TestsService],
})
export class TestsModule {}
