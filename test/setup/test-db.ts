import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { APP_ROLE, grantAppRole, urlAs } from '../../src/database/app-role';

function adminUrl(): string {
  const url = process.env.TEST_ADMIN_DATABASE_URL;
  if (!url) throw new Error('TEST_ADMIN_DATABASE_URL is not set: run the tests through jest (global setup)');
  return url;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function admin<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * The URL the app serves with for a database: on the tests' cluster, the plain application role (global setup created
 * it), after granting it the tables the migrations made; on a cluster of a test's own (outage, lifecycle), `url` as is.
 */
export async function servingUrl(url: string): Promise<string> {
  const password = process.env.TEST_APP_ROLE_PASSWORD;
  if (!password || new URL(url).host !== new URL(adminUrl()).host) return url;
  await grantAppRole(url, APP_ROLE);
  return urlAs(url, APP_ROLE, password);
}

/**
 * A brand-new database for one test file; returns its URL (the admin's: migrations, fixtures, assertions), the URL
 * of the application role on it (call `servingUrl` after migrating for the grants) and a function that drops it.
 */
export async function createTestDatabase(): Promise<{ url: string; appUrl: string; drop: () => Promise<void> }> {
  const name = `trajectorie_t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  await admin((client) => client.query(`CREATE DATABASE ${name}`));
  const url = withDatabase(adminUrl(), name);
  return {
    url,
    appUrl: urlAs(url, APP_ROLE, process.env.TEST_APP_ROLE_PASSWORD ?? ''),
    drop: () => admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}
