import { DataSourceOptions } from 'typeorm';
import { AuditLogEntity } from '../modules/audit/entities/audit-log.entity';
import { CompetencyEntity } from '../modules/competencies/entities/competency.entity';
import { ConfigurationEntity } from '../modules/configurations/entities/configuration.entity';
import { RefreshTokenEntity } from '../modules/sessions/entities/refresh-token.entity';
import { SessionEntity } from '../modules/sessions/entities/session.entity';
import { ProctoringReviewEntity } from '../modules/proctoring/entities/proctoring-review.entity';
import { MediaFileEntity } from '../modules/submissions/entities/media-file.entity';
import { SubmissionEntity } from '../modules/submissions/entities/submission.entity';
import { TenantEntity } from '../modules/tenants/entities/tenant.entity';
import { EmailOutboxEntity } from '../modules/mail/entities/email-outbox.entity';
import { AttemptAnswerEntity } from '../modules/timed-tests/entities/attempt-answer.entity';
import { AttemptEventEntity } from '../modules/timed-tests/entities/attempt-event.entity';
import { InvitationEntity } from '../modules/timed-tests/entities/invitation.entity';
import { QuestionEntity } from '../modules/timed-tests/entities/question.entity';
import { TestAttemptEntity } from '../modules/timed-tests/entities/test-attempt.entity';
import { TestVersionEntity } from '../modules/timed-tests/entities/test-version.entity';
import { TestEntity } from '../modules/timed-tests/entities/test.entity';
import { UserEntity } from '../modules/users/entities/user.entity';
import { TimeoutSafeClient } from './pg-client';
import { InitialSchema1763700000000 } from './migrations/1763700000000-InitialSchema';
import { Configurations1763800000000 } from './migrations/1763800000000-Configurations';
import { Submissions1763900000000 } from './migrations/1763900000000-Submissions';
import { RowLevelSecurity1763950000000 } from './migrations/1763950000000-RowLevelSecurity';
import { TimedTests1764000000000 } from './migrations/1764000000000-TimedTests';
import { LoginCredentials1764050000000 } from './migrations/1764050000000-LoginCredentials';
import { InvitationTokenLookup1764060000000 } from './migrations/1764060000000-InvitationTokenLookup';
import { LoginRecord1764110000000 } from './migrations/1764110000000-LoginRecord';
import { InvitationTokenTestVersion1764120000000 } from './migrations/1764120000000-InvitationTokenTestVersion';
import { Proctoring1764100000000 } from './migrations/1764100000000-Proctoring';

export const ENTITIES = [
  TenantEntity,
  UserEntity,
  SessionEntity,
  RefreshTokenEntity,
  AuditLogEntity,
  ConfigurationEntity,
  CompetencyEntity,
  SubmissionEntity,
  MediaFileEntity,
  TestEntity,
  TestVersionEntity,
  QuestionEntity,
  InvitationEntity,
  TestAttemptEntity,
  AttemptAnswerEntity,
  AttemptEventEntity,
  EmailOutboxEntity,
  ProctoringReviewEntity,
];
export const MIGRATIONS = [
  InitialSchema1763700000000,
  Configurations1763800000000,
  Submissions1763900000000,
  RowLevelSecurity1763950000000,
  TimedTests1764000000000,
  LoginCredentials1764050000000,
  InvitationTokenLookup1764060000000,
  Proctoring1764100000000,
  LoginRecord1764110000000,
  InvitationTokenTestVersion1764120000000,
];

export interface PoolTimeouts {
  /** Opening a connection, and waiting for a free one in the pool, fail after this many ms. */
  connectTimeoutMs: number;
  /** PostgreSQL cancels a statement after this many ms; the client gives up on a silent server 1 s later. */
  statementTimeoutMs?: number;
}

/**
 * Shared by the app (DatabaseModule), ormconfig.ts (the CLI) and the tests. `synchronize` is off everywhere.
 * Without `statementTimeoutMs` (migrations, the CLI) statements are not time-limited.
 */
export function dataSourceOptions(
  url: string,
  poolSize = 10,
  timeouts: PoolTimeouts = { connectTimeoutMs: 5000 },
): DataSourceOptions {
  const statement = timeouts.statementTimeoutMs;
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    synchronize: false,
    migrationsRun: false,
    extra: {
      max: poolSize,
      connectionTimeoutMillis: timeouts.connectTimeoutMs,
      keepAlive: true,
      // A stopped (SIGSTOP) or unreachable server never answers: the server-side timeout cannot fire, so the
      // client-side one does (query_timeout), and the request fails with 503 instead of hanging.
      // TimeoutSafeClient then drops such a connection rather than returning it to the pool.
      ...(statement
        ? { statement_timeout: statement, query_timeout: statement + 1000, Client: TimeoutSafeClient }
        : {}),
    },
  };
}
