import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from '../src/app.module';
import { setupApp } from '../src/app.setup';
import { createPinoLogger } from '../src/common/logging/logger';
import { loadConfig } from '../src/config/app-config';
import { send, watchMemoryOnSignal } from './lib/child';

/**
 * The subject: the real app, built as main.ts and test/setup/test-app.ts build it, on the already migrated
 * database in DATABASE_URL, listening on a free loopback port. The parent sets the environment (ENVIRONMENT=test,
 * LOG_LEVEL=silent, BCRYPT_COST, rate limits, DB_POOL_SIZE, UV_THREADPOOL_SIZE, the local STORAGE_PATH and
 * MAX_FILE_SIZE). SIGUSR2 starts / stops a memory watch (lib/child.ts) around the upload benchmark.
 */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  if (!config.database.url) throw new Error('bench/server.ts needs DATABASE_URL');
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.register({ config, databaseUrl: config.database.url }),
    { logger: false, bodyParser: false },
  );
  setupApp(app, config, createPinoLogger(config.logLevel));
  watchMemoryOnSignal();
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  send({ event: 'ready', port: typeof address === 'object' && address ? address.port : 0 });

  let closing = false;
  process.on('SIGTERM', () => {
    if (closing) return;
    closing = true;
    void app.close().finally(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`bench server failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
