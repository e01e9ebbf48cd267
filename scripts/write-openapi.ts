/**
 * Writes the OpenAPI document to a file (default openapi.json) without a database: the Nest app is created in
 * preview mode, which reads the modules, controllers and their metadata but instantiates no provider, so nothing
 * connects. `npm run lint:openapi` lints the result with Redocly.
 */
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../src/app.module';
import { buildOpenApiDocument } from '../src/app.setup';
import { loadConfig } from '../src/config/app-config';

async function main(): Promise<void> {
  const target = process.argv[2] ?? 'openapi.json';
  const config = loadConfig({ ENVIRONMENT: 'test', LOG_LEVEL: 'silent' });
  const app = await NestFactory.create(AppModule.register({ config, databaseUrl: 'postgres://127.0.0.1:1/unused' }), {
    preview: true,
    logger: false,
    abortOnError: false,
  });
  writeFileSync(target, `${JSON.stringify(buildOpenApiDocument(app), null, 2)}\n`);
  await app.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
