import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as bcrypt from 'bcrypt';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres';
import { runMigrations } from '../../src/database/migrate';
import { SYSTEM_TENANT_ID } from '../../src/modules/tenants/entities/tenant.entity';
import { cpuMs } from './processes';

export interface BenchDatabase {
  url: string;
  /** Where it came from, for the report. */
  source: 'TEST_DATABASE_URL' | 'DATABASE_URL' | 'embedded';
  /** CPU used so far by the whole embedded cluster (ms); null for an external server. */
  postgresCpuMs(): number | null;
  drop(): Promise<void>;
}

export interface BenchUser {
  email: string;
  password: string;
  hash: string;
}

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Like the e2e harness: the PostgreSQL server of TEST_DATABASE_URL / DATABASE_URL when set, otherwise an embedded
 * one in a fresh temporary folder; on it, a brand-new migrated database that is dropped at the end.
 */
export async function createBenchDatabase(): Promise<BenchDatabase> {
  const given = process.env.TEST_DATABASE_URL ? 'TEST_DATABASE_URL' : process.env.DATABASE_URL ? 'DATABASE_URL' : null;
  let adminUrl: string;
  let stopServer = async () => undefined;
  let postgresCpuMs = (): number | null => null;
  if (given) {
    adminUrl = process.env[given]!;
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'trajectorie-bench-pg-'));
    const pg = await startEmbeddedPostgres({ dataDir: join(dir, 'cluster'), database: 'trajectorie_bench' });
    adminUrl = pg.adminUrl;
    const postmaster = Number(readFileSync(join(dir, 'cluster', 'postmaster.pid'), 'utf8').split('\n')[0]);
    postgresCpuMs = () => clusterCpuMs(postmaster);
    stopServer = async () => {
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
    };
  }

  const name = `trajectorie_bench_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  try {
    await withClient(adminUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  } catch (error) {
    await stopServer();
    throw error;
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const drop = async () => {
    await withClient(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).catch(
      (error: unknown) => process.stderr.write(`could not drop ${name}: ${String(error)}\n`),
    );
    await stopServer();
  };
  try {
    await runMigrations(url.toString());
  } catch (error) {
    await drop();
    throw error;
  }
  return { url: url.toString(), source: given ?? 'embedded', postgresCpuMs, drop };
}

/** The postmaster and its children (backends, background workers); backends exiting mid-run lose their share. */
function clusterCpuMs(postmaster: number): number | null {
  let total = cpuMs(postmaster);
  if (total === null) return null;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent === postmaster) total += cpuMs(Number(entry)) ?? 0;
    } catch {
      // the process ended meanwhile
    }
  }
  return total;
}

/** One active user in the System tenant, inserted directly with a bcrypt hash at the benchmark's cost. */
export async function seedUser(url: string, cost: number): Promise<BenchUser> {
  const user = { email: `bench-${randomBytes(4).toString('hex')}@example.test`, password: 'Bench-Password-123' };
  const hash = await bcrypt.hash(user.password, cost);
  await withClient(url, (client) =>
    client.query(
      `INSERT INTO users (email, password_hash, full_name, role, tenant_id, is_active)
       VALUES ($1, $2, 'Bench User', 'candidate', $3, true)`,
      [user.email, hash, SYSTEM_TENANT_ID],
    ),
  );
  return { ...user, hash };
}
