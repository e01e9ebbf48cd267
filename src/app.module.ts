import { DynamicModule, Module } from '@nestjs/common';
import { PasswordService } from './common/auth/password.service';
import { ClockModule } from './common/clock/clock.module';
import { JobsModule } from './common/jobs/jobs.module';
import { RateLimitModule } from './common/rate-limit/rate-limit.module';
import { RedisModule } from './common/redis/redis.module';
import { StorageModule } from './common/storage/storage.module';
import { ThrottleModule } from './common/throttle/throttle.module';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { AuditModule } from './modules/audit/audit.module';
import { AuthModule } from './modules/auth/auth.module';
import { CompetenciesModule } from './modules/competencies/competencies.module';
import { MailModule } from './modules/mail/mail.module';
import { ConfigurationsModule } from './modules/configurations/configurations.module';
import { StatisticsModule } from './modules/statistics/statistics.module';
import { ProctoringModule } from './modules/proctoring/proctoring.module';
import { SubmissionsModule } from './modules/submissions/submissions.module';
import { SystemModule } from './modules/system/system.module';
import { InvitationsModule } from './modules/timed-tests/invitations/invitations.module';
import { TakingModule } from './modules/timed-tests/taking/taking.module';
import { TenantsModule } from './modules/tenants/tenants.module';
import { TestsModule } from './modules/timed-tests/tests/tests.module';
import { ResultsModule } from './modules/timed-tests/results/results.module';
import { UsersModule } from './modules/users/users.module';
import { Global } from '@nestjs/common';

@Global()
@Module({ providers: [PasswordService], exports: [PasswordService] })
class CommonModule {}

export interface AppModuleOptions {
  config: AppConfig;
  /** The resolved database URL (DATABASE_URL, or the embedded cluster's). */
  databaseUrl: string;
}

@Module({})
export class AppModule {
  static register({ config, databaseUrl }: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot(databaseUrl, config.database.poolSize, {
          connectTimeoutMs: config.database.connectTimeoutMs,
          statementTimeoutMs: config.database.statementTimeoutMs,
        }),
        ClockModule,
        JobsModule,
        RedisModule,
        RateLimitModule,
        StorageModule,
        CommonModule,
        AuditModule,
        SystemModule,
        AuthModule,
        // after AuthModule: the throttle's guard must run once authentication has set the user
        ThrottleModule,
        UsersModule,
        TenantsModule,
        StatisticsModule,
        ConfigurationsModule,
        CompetenciesModule,
        SubmissionsModule,
        // the e-mail outbox's background sender registers its worker even before a feature imports MailModule
        MailModule,
        TestsModule,
        InvitationsModule,
        TakingModule,
        ResultsModule,
        ProctoringModule,
      ],
    };
  }
}
