import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { APP_ROLE, ensureAppRole } from '../../src/database/app-role';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres';

declare global {
  var __EMBEDDED_PG__: { stop(): Promise<void>; dir: string } | undefined;
}

/**
 * One PostgreSQL server for the run: TEST_DATABASE_URL or DATABASE_URL when set, otherwise an embedded one in a
 * fresh temporary folder. Each test file then creates (and drops) its own database on it, so files are isolated
 * from each other and from earlier runs. The app serves as the plain role APP_ROLE (created here once for the
 * cluster, with a fresh password), so every suite runs under row-level security; migrations and the tests' own
 * fixtures and assertions use the admin (superuser) connection.
 */
export default async function globalSetup(): Promise<void> {
  const given = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;
  if (given) {
    process.env.TEST_ADMIN_DATABASE_URL = given;
    await createAppRole(given);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'trajectorie-test-pg-'));
  const pg = await startEmbeddedPostgres({ dataDir: join(dir, 'cluster'), database: 'trajectorie_test' });
  process.env.TEST_ADMIN_DATABASE_URL = pg.adminUrl;
  await createAppRole(pg.adminUrl);
  globalThis.__EMBEDDED_PG__ = {
    dir,
    stop: async () => {
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function createAppRole(adminUrl: string): Promise<void> {
  const password = randomBytes(18).toString('base64url');
  await ensureAppRole(adminUrl, APP_ROLE, password);
  process.env.TEST_APP_ROLE_PASSWORD = password;
}
