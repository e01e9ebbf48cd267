import { DynamicModule, Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { dataSourceOptions, PoolTimeouts } from './data-source.options';
import { DatabaseService } from './database.service';

@Global()
@Module({})
export class DatabaseModule {
  static forRoot(url: string, poolSize: number, timeouts: PoolTimeouts): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRoot({ ...dataSourceOptions(url, poolSize, timeouts), retryAttempts: 2, retryDelay: 500 }),
      ],
      providers: [DatabaseService],
      exports: [DatabaseService],
    };
  }
}
