import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { setupApp } from './app.setup';
import { createPinoLogger, PinoNestLogger } from './common/logging/logger';
import { STORAGE_DRIVER, StorageDriver } from './common/storage/storage-driver';
import { ConfigError, loadConfig } from './config/app-config';
import { checkServingRole, grantAppRole, roleOf } from './database/app-role';
import { EmbeddedPostgresHandle, embeddedAppRoleUrl, startEmbeddedPostgres } from './database/embedded-postgres';
import { runMigrations } from './database/migrate';

async function bootstrap(): Promise<void> {
  // A .env file in the working directory fills in variables the environment does not already set.
  if (existsSync('.env')) process.loadEnvFile('.env');
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const logger = createPinoLogger(config.logLevel);

  // Two roles (README.md "Security model"): migrations run as the owner of the schema, the app serves as a plain
  // role under row-level security. Embedded: the cluster's superuser migrates, APP_ROLE serves.
  let embedded: EmbeddedPostgresHandle | undefined;
  let databaseUrl = config.database.url;
  let migrationUrl = config.database.migrationUrl ?? databaseUrl;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres({
      dataDir: config.database.embeddedDataDir,
      database: 'trajectorie',
      log: (level, message) => logger[level]({ context: 'EmbeddedPostgres' }, message),
    });
    migrationUrl = embedded.url;
    databaseUrl = await embeddedAppRoleUrl(embedded, config.database.embeddedDataDir);
  }

  if (config.database.migrationsRun) {
    const applied = await runMigrations(migrationUrl!);
    if (applied.length) logger.info({ context: 'Migrations', applied }, 'Applied migrations');
  }
  // The owner grants the serving role what it needs on the tables (including any a migration just created).
  if (migrationUrl && roleOf(migrationUrl) !== roleOf(databaseUrl))
    await grantAppRole(migrationUrl, roleOf(databaseUrl));

  try {
    const warning = await checkServingRole(databaseUrl, config.environment);
    if (warning) logger.warn({ context: 'Database' }, `WARNING: ${warning}`);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }

  const app = await NestFactory.create<NestExpressApplication>(AppModule.register({ config, databaseUrl }), {
    logger: new PinoNestLogger(logger),
    bodyParser: false,
  });
  setupApp(app, config, logger);
  await app.listen(config.port, config.host);
  const address = app.getHttpServer().address() as { address: string; port: number };
  logger.info(
    { context: 'Bootstrap', port: address.port },
    `Trajectorie listening on ${address.address}:${address.port}`,
  );

  // Graceful shutdown: stop accepting, let in-flight requests finish, close pools, then stop the embedded database.
  // SHUTDOWN_TIMEOUT_MS is the limit: whatever still runs then is dropped (README.md "Configuration").
  const storage = app.get<StorageDriver>(STORAGE_DRIVER);
  let shuttingDown = false;
  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ context: 'Shutdown', signal }, 'Shutting down');
    const force = setTimeout(() => {
      logger.error({ context: 'Shutdown' }, 'Shutdown timed out; dropping the requests still running');
      // An upload cut here gets no row; its partial file goes now (anything missed is swept at the next boot).
      storage.abandonInFlight?.();
      // The embedded database's exit hook asks it for a fast shutdown, which still ends with a clean checkpoint.
      process.exit(1);
    }, config.shutdownTimeoutMs).unref();
    try {
      await app.close();
    } finally {
      clearTimeout(force);
      await embedded?.stop();
      process.exit(0);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`Fatal error during start-up: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
