import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { setupApp } from './app.setup';
import { createPinoLogger, PinoNestLogger } from './common/logging/logger';
import { STORAGE_DRIVER, StorageDriver } from './common/storage/storage-driver';
import { ConfigError, loadConfig } from './config/app-config';
import { EmbeddedPostgresHandle, startEmbeddedPostgres } from './database/embedded-postgres';
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

  let embedded: EmbeddedPostgresHandle | undefined;
  let databaseUrl = config.database.url;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres({
      dataDir: config.database.embeddedDataDir,
      database: 'trajectorie',
      log: (level, message) => logger[level]({ context: 'EmbeddedPostgres' }, message),
    });
    databaseUrl = embedded.url;
  }

  if (config.database.migrationsRun) {
    const applied = await runMigrations(databaseUrl);
    if (applied.length) logger.info({ context: 'Migrations', applied }, 'Applied migrations');
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
