import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from './src/config/app-config';
import { dataSourceOptions } from './src/database/data-source.options';
import { runningEmbeddedUrl } from './src/database/embedded-postgres';

/**
 * The TypeORM DataSource used by the CLI (`npm run migration:*`); the app builds the same options in
 * DatabaseModule. Without DATABASE_URL it targets the embedded cluster, which must be running (`npm start`).
 */
const config = loadConfig();
const url = config.database.url ?? runningEmbeddedUrl(config.database.embeddedDataDir, 'trajectorie');
if (!url) {
  throw new Error('Set DATABASE_URL, or start the app once (npm start) so the embedded PostgreSQL is running');
}

export default new DataSource({
  ...dataSourceOptions(url),
  migrations: ['src/database/migrations/*.ts'],
});
