import { ConfigError, Environment } from '../config/app-config';
import { withPgClient } from './pg-client';

/** The role the embedded default (and the tests) serve as: a plain login role, under row-level security. */
export const APP_ROLE = 'trajectorie_app';

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * Creates (or updates the password of) the application role on a cluster, connected as a role allowed to: never a
 * superuser, never BYPASSRLS, no CREATEDB/CREATEROLE. Roles are cluster-wide; the grants are per database
 * (`grantAppRole`).
 */
export async function ensureAppRole(adminUrl: string, role: string, password: string): Promise<void> {
  await withPgClient(adminUrl, async (client) => {
    const attributes = `LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD ${quoteLiteral(password)}`;
    // Two instances (or two test workers) may race to create it: the loser's duplicate_object is fine.
    try {
      const found = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
      if (found.rowCount === 0) await client.query(`CREATE ROLE ${quoteIdent(role)} ${attributes}`);
      else await client.query(`ALTER ROLE ${quoteIdent(role)} ${attributes}`);
    } catch (error) {
      if ((error as { code?: string }).code !== '42710') throw error; // duplicate_object
    }
  });
}

/**
 * What the app role needs on one database, granted by its owner after the migrations: DML on every table, the
 * sequences, and the same on tables later migrations create (ALTER DEFAULT PRIVILEGES, for tables the connected
 * owner creates); CREATE on the database, because pg-boss creates its own schema at start as the app role.
 */
export async function grantAppRole(ownerUrl: string, role: string): Promise<void> {
  const r = quoteIdent(role);
  await withPgClient(ownerUrl, async (client) => {
    const { rows } = await client.query<{ db: string }>('SELECT current_database() AS db');
    await client.query(`GRANT CONNECT, CREATE, TEMPORARY ON DATABASE ${quoteIdent(rows[0].db)} TO ${r}`);
    await client.query(`GRANT USAGE ON SCHEMA public TO ${r}`);
    await client.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${r}`);
    await client.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${r}`);
    await client.query(
      `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${r}`,
    );
    await client.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ${r}`);
  });
}

/** The user name in a PostgreSQL URL. */
export function roleOf(url: string): string {
  return decodeURIComponent(new URL(url).username);
}

/** A PostgreSQL URL with another user and password (same host, port and database). */
export function urlAs(url: string, role: string, password: string): string {
  const parsed = new URL(url);
  parsed.username = encodeURIComponent(role);
  parsed.password = encodeURIComponent(password);
  return parsed.toString();
}

export interface ServingRole {
  role: string;
  superuser: boolean;
  bypassRls: boolean;
}

/** The connected role's attributes that make PostgreSQL ignore row-level security. */
export async function servingRole(url: string): Promise<ServingRole> {
  return withPgClient(url, async (client) => {
    const { rows } = await client.query<{ role: string; superuser: boolean; bypass: boolean }>(
      `SELECT current_user AS role, rolsuper AS superuser, rolbypassrls AS bypass FROM pg_roles
        WHERE rolname = current_user`,
    );
    const row = rows[0];
    return { role: row?.role ?? '?', superuser: row?.superuser === true, bypassRls: row?.bypass === true };
  });
}

/**
 * The boot check: the app must not serve as a role that bypasses row-level security. In production such a role is
 * a configuration error (the caller exits 78); elsewhere the returned warning is logged loudly.
 */
export async function checkServingRole(url: string, environment: Environment): Promise<string | null> {
  const found = await servingRole(url);
  if (!found.superuser && !found.bypassRls) return null;
  const what = found.superuser ? 'a superuser' : 'a BYPASSRLS role';
  const message =
    `connects as "${found.role}", ${what}: PostgreSQL ignores row-level security for it, so tenant isolation ` +
    `would rest on the application alone. Connect DATABASE_URL as a plain role (NOSUPERUSER NOBYPASSRLS) and ` +
    `run the migrations as the owner with DATABASE_MIGRATION_URL (README.md "Security model")`;
  if (environment === 'production') throw new ConfigError('DATABASE_URL', message);
  return `DATABASE_URL ${message}`;
}
