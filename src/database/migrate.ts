import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source.options';

/** Any fixed number: instances starting together take turns instead of racing through the same migrations. */
const MIGRATION_LOCK_KEY = 774_211_001;

/** Runs pending migrations under a PostgreSQL advisory lock, on a short-lived connection of its own. */
export async function runMigrations(url: string): Promise<string[]> {
  const dataSource = new DataSource({ ...dataSourceOptions(url, 1) });
  await dataSource.initialize();
  try {
    await dataSource.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      return applied.map((migration) => migration.name);
    } finally {
      await dataSource.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await dataSource.destroy();
  }
}
