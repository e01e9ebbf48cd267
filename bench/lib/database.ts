import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as bcrypt from 'bcrypt';
import { APP_ROLE, ensureAppRole, grantAppRole, urlAs } from '../../src/database/app-role';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres';
import { runMigrations } from '../../src/database/migrate';
import { SYSTEM_TENANT_ID } from '../../src/domain/tenancy';
import { cpuMs } from './processes';
import { withPgClient } from '../../src/database/pg-client';

export interface BenchDatabase {
  /** The owner's (admin's) URL: migrations and seeding. */
  url: string;
  /**
   * The URL the app and the database baselines serve with: the plain application role (APP_ROLE), under row-level
   * security as in production.
   */
  appUrl: string;
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
    // BENCH_PG_LOG=<file>: the embedded server's log goes there, with every statement (log_statement=all), to check
    // that a raw baseline sends the same SQL as the app (never during a measured run: logging costs CPU).
    const logFile = process.env.BENCH_PG_LOG;
    const pg = await startEmbeddedPostgres({
      dataDir: join(dir, 'cluster'),
      database: 'trajectorie_bench',
      ...(logFile ? { log: (_level, message) => appendFileSync(logFile, `${message}\n`) } : {}),
    });
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
    await withPgClient(adminUrl, async (client) => {
      await client.query(`CREATE DATABASE ${name}`);
      if (process.env.BENCH_PG_LOG) await client.query(`ALTER DATABASE ${name} SET log_statement = 'all'`);
    });
  } catch (error) {
    await stopServer();
    throw error;
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const drop = async () => {
    await withPgClient(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).catch(
      (error: unknown) => process.stderr.write(`could not drop ${name}: ${String(error)}\n`),
    );
    await stopServer();
  };
  const appPassword = randomBytes(18).toString('base64url');
  try {
    await runMigrations(url.toString());
    await ensureAppRole(adminUrl, APP_ROLE, appPassword);
    await grantAppRole(url.toString(), APP_ROLE);
  } catch (error) {
    await drop();
    throw error;
  }
  const appUrl = urlAs(url.toString(), APP_ROLE, appPassword);
  return { url: url.toString(), appUrl, source: given ?? 'embedded', postgresCpuMs, drop };
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
  await withPgClient(url, (client) =>
    client.query(
      `INSERT INTO users (email, password_hash, full_name, role, tenant_id, is_active)
       VALUES ($1, $2, 'Bench User', 'candidate', $3, true)`,
      [user.email, hash, SYSTEM_TENANT_ID],
    ),
  );
  return { ...user, hash };
}

/** The tenant of (d) and (e): an admin (logs in), candidates, and submissions with realistic conversations. */
export interface BenchTenant {
  tenantId: string;
  admin: BenchUser;
  submissionIds: string[];
}

const WORDS = (
  'team customer deadline project stakeholder priority conflict feedback quality process budget risk escalate ' +
  'listen explain agree plan review measure result improve support clarify schedule decision manager colleague ' +
  'problem solution data report meeting client expectation deliver approach responsibility trust communicate'
).split(' ');
const COMPETENCIES = ['Communication', 'Problem Solving', 'Teamwork', 'Customer Focus', 'Adaptability', 'Leadership'];

/** Deterministic filler text (a tiny LCG), so every run seeds the same bytes. */
function textMaker(seed: number) {
  let state = seed;
  const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31);
  return (words: number) => {
    const out = Array.from({ length: words }, () => WORDS[next() % WORDS.length]).join(' ');
    return `${out[0].toUpperCase()}${out.slice(1)}.`;
  };
}

/** ~750 bytes of JSON per entry, shaped like a `conversation_history` entry of the first seed's frontend. */
function conversation(index: number, entries: number, testType: 'JDT' | 'SJT'): object[] {
  const text = textMaker(index + 1);
  return Array.from({ length: entries }, (_, i) => {
    const competency = COMPETENCIES[(index + i) % COMPETENCIES.length];
    if (testType === 'JDT') {
      return { question: text(12), answer: text(40), preferredAnswer: text(14), competency, languageCode: 'en' };
    }
    const situation = text(20);
    return {
      question: `Situation: ${situation}\n\nQuestion: ${text(10)}`,
      answer: text(35),
      situation,
      assessedCompetency: competency,
      languageCode: 'en',
    };
  });
}

function analysis(index: number): Record<string, unknown> {
  const text = textMaker(10_000 + index);
  return {
    overall_score: 50 + (index % 50),
    competency_scores: Object.fromEntries(COMPETENCIES.map((c, i) => [c, 1 + ((index + i) % 5)])),
    summary: text(40),
    strengths: [text(8), text(8)],
    improvements: [text(8), text(8)],
  };
}

/**
 * A fresh tenant with an admin (password login at the benchmark's bcrypt cost), `candidates` candidates and
 * `count` submissions spread over them (JDT and SJT, a quarter completed with an analysis report), each with
 * `entries` conversation entries, created one minute apart — inserted directly.
 */
export async function seedSubmissionsTenant(
  url: string,
  cost: number,
  count: number,
  entries: number,
  candidates = 20,
): Promise<BenchTenant> {
  const suffix = randomBytes(4).toString('hex');
  const admin = { email: `bench-admin-${suffix}@example.test`, password: 'Bench-Password-123' };
  const hash = await bcrypt.hash(admin.password, cost);
  return withPgClient(url, async (client) => {
    await client.query('BEGIN');
    const [{ id: tenantId }] = (
      await client.query(`INSERT INTO tenants (name, max_test_attempts) VALUES ($1, 1000) RETURNING id`, [
        `Bench tenant ${suffix}`,
      ])
    ).rows as { id: string }[];
    await client.query(
      `INSERT INTO users (email, password_hash, full_name, role, tenant_id) VALUES ($1, $2, 'Bench Admin', 'admin', $3)`,
      [admin.email, hash, tenantId],
    );
    const userIds: string[] = [];
    for (let i = 0; i < candidates; i += 1) {
      const { rows } = await client.query(
        `INSERT INTO users (email, password_hash, full_name, candidate_id, role, tenant_id)
         VALUES ($1, $2, $3, $4, 'candidate', $5) RETURNING id`,
        [`bench-candidate-${suffix}-${i}@example.test`, hash, `Candidate ${i}`, `C${1000 + i}`, tenantId],
      );
      userIds.push((rows[0] as { id: string }).id);
    }
    const submissionIds: string[] = [];
    const attempts = new Map<string, number>();
    for (let i = 0; i < count; i += 1) {
      const user = i % candidates;
      const testType = i % 2 === 0 ? 'JDT' : 'SJT';
      const attempt = (attempts.get(`${user}:${testType}`) ?? 0) + 1;
      attempts.set(`${user}:${testType}`, attempt);
      const completed = i % 4 === 0;
      const { rows } = await client.query(
        `INSERT INTO submissions (tenant_id, user_id, candidate_name, candidate_id, test_type, conversation_history,
                                  analysis_result, status, analysis_completed, analysis_completed_at,
                                  attempt_number, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, CASE WHEN $9 THEN now() END, $10,
                 now() - make_interval(mins => $11), now() - make_interval(mins => $11))
         RETURNING id`,
        [
          tenantId,
          userIds[user],
          `Candidate ${user}`,
          `C${1000 + user}`,
          testType,
          JSON.stringify(conversation(i, entries, testType)),
          completed ? JSON.stringify(analysis(i)) : null,
          completed ? 'completed' : 'submitted',
          completed,
          attempt,
          count - i,
        ],
      );
      submissionIds.push((rows[0] as { id: string }).id);
    }
    await client.query('COMMIT');
    return { tenantId, admin: { ...admin, hash }, submissionIds };
  });
}
