import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module';
import { setupApp } from '../../src/app.setup';
import { createPinoLogger } from '../../src/common/logging/logger';
import { AppConfig, loadConfig } from '../../src/config/app-config';
import { dataSourceOptions } from '../../src/database/data-source.options';
import { runMigrations } from '../../src/database/migrate';
import { createTestDatabase, servingUrl } from './test-db';

export const TEST_SECRET = 'test-secret-key-that-is-long-enough-0123456789';

export interface TestApp {
  app: NestExpressApplication;
  config: AppConfig;
  /**
   * The database as its owner (the admin role, which row-level security does not bind): for fixtures and
   * assertions. The app itself serves as the plain application role (`appDatabaseUrl`).
   */
  db: DataSource;
  /** The owner's URL of the test database. */
  databaseUrl: string;
  /** The URL the app serves with (the application role on the tests' cluster). */
  appDatabaseUrl: string;
  http: () => ReturnType<typeof request>;
  close: () => Promise<void>;
}

/**
 * Builds the app exactly as main.ts does, on a fresh database, with test-friendly defaults. Local storage goes to
 * a fresh temporary folder (removed on close) unless `env` names a STORAGE_PATH, so tests never write ./uploads;
 * likewise e-mails written as files (MAIL_OUTBOX_DIR) never land in ./data/outbox.
 */
export async function createTestApp(
  env: Record<string, string> = {},
  options: { databaseUrl?: string; keepDatabase?: boolean; runMigrations?: boolean } = {},
): Promise<TestApp> {
  const database = options.databaseUrl ? undefined : await createTestDatabase();
  const databaseUrl = options.databaseUrl ?? database!.url;
  const storageDir = env.STORAGE_PATH ? null : mkdtempSync(join(tmpdir(), 'trajectorie-uploads-'));
  const outboxDir = env.MAIL_OUTBOX_DIR ? null : mkdtempSync(join(tmpdir(), 'trajectorie-outbox-'));
  const config = loadConfig({
    ENVIRONMENT: 'test',
    SECRET_KEY: TEST_SECRET,
    BCRYPT_COST: '4',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DB_POOL_SIZE: '5',
    // suites send hundreds of requests a second as one user; the throttle's own spec sets real limits
    THROTTLE_BURST_LIMIT: '1000000',
    THROTTLE_SUSTAINED_LIMIT: '1000000',
    THROTTLE_UPLOAD_LIMIT: '1000000',
    // pg-boss costs a start per app: specs that need background jobs turn them on (JOBS_ENABLED=true)
    JOBS_ENABLED: 'false',
    JOBS_POLL_INTERVAL_SECONDS: '0.5',
    ...(storageDir ? { STORAGE_PATH: storageDir } : {}),
    ...(outboxDir ? { MAIL_OUTBOX_DIR: outboxDir } : {}),
    ...env,
  });
  if (!options.databaseUrl || options.runMigrations) await runMigrations(databaseUrl);
  const appDatabaseUrl = await servingUrl(databaseUrl);
  const logger = createPinoLogger(config.logLevel);
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.register({ config, databaseUrl: appDatabaseUrl }),
    {
      logger: false,
      abortOnError: false,
      bodyParser: false,
    },
  );
  setupApp(app, config, logger);
  await app.init();
  const db = new DataSource(dataSourceOptions(databaseUrl, 3));
  await db.initialize();
  return {
    app,
    config,
    db,
    databaseUrl,
    appDatabaseUrl,
    http: () => request(app.getHttpServer()),
    close: async () => {
      await app.close();
      await db.destroy();
      if (!options.keepDatabase) await database?.drop();
      if (storageDir) await rm(storageDir, { recursive: true, force: true });
      if (outboxDir) await rm(outboxDir, { recursive: true, force: true });
    },
  };
}
