import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILD_DIR, buildChildren } from './lib/build';
import { createBenchDatabase } from './lib/database';
import { childEnv, startChild } from './lib/processes';
import { appScopesUnitsOfWork, login } from './lib/servers';
import { seedTimedTestsTenant } from './lib/timed-tests';

/**
 * `npx ts-node --transpile-only bench/sql-check.ts`: checks that the raw baseline of (g) sends the statements the app
 * sends. Starts an embedded PostgreSQL logging every statement (BENCH_PG_LOG), the app and the baseline on one seeded
 * database, makes each call once on each side — separated by a `GET /health` whose `SELECT 1` marks the boundary in
 * the log — and compares the two sequences of statement texts (parameters aside). The guard's session query, which the
 * baseline leaves out on purpose (no bearer check), is the one difference allowed. Exits 1 on any other difference.
 * BENCH_SQL_FULL=1 prints differing statements whole (to copy the app's new SQL into the baseline).
 */
const BEARER_CHECK = /FROM sessions s\s+JOIN users u|session_principal\(/;
const SECRET = 'bench-secret-key-that-is-long-enough-0123456789';

function statements(log: string): string[] {
  return (
    log
      .split(/\n(?=\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ UTC)/)
      .map((entry) => /LOG: {2}(?:statement|execute [^:]*): ([\s\S]*)/.exec(entry)?.[1])
      .filter((text): text is string => text !== undefined)
      .map((text) => text.replace(/\s+/g, ' ').trim())
      // the app's job queue (pg-boss) polls and checks the database clock in the background, whatever the request
      .filter((text) => !/\bpgboss\.|pg_advisory_(un)?lock|date_part\('epoch', now\(\)\) \* 1000\) as time/.test(text))
  );
}

async function main(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'trajectorie-sql-check-'));
  const logFile = join(dir, 'postgres.log');
  process.env.BENCH_PG_LOG = logFile;
  buildChildren(['server.ts', 'baselines/raw-timed-tests.ts']);
  const db = await createBenchDatabase();
  // the app role's URL when the bench serves as it (row-level security), else the owner's
  const serveUrl = (db as { appUrl?: string }).appUrl ?? db.url;
  const children: { stop(): Promise<void> }[] = [];
  try {
    const seeded = await seedTimedTestsTenant(db.url, 4, 3, 4, 120);
    const app = startChild(
      'app',
      'server.ts',
      childEnv({
        DATABASE_URL: serveUrl,
        NODE_ENV: 'production',
        ENVIRONMENT: 'test',
        LOG_LEVEL: 'silent',
        SECRET_KEY: SECRET,
        BCRYPT_COST: '4',
        MIGRATIONS_RUN: 'false',
      }),
    );
    children.push(app);
    const raw = startChild(
      'raw-timed-tests',
      'baselines/raw-timed-tests.ts',
      childEnv({
        DATABASE_URL: serveUrl,
        BENCH_TENANT_ID: seeded.tenantId,
        BENCH_RLS: appScopesUnitsOfWork() ? '1' : '0',
      }),
    );
    children.push(raw);
    const appUrl = `http://127.0.0.1:${String((await app.next('ready')).port)}`;
    const rawUrl = `http://127.0.0.1:${String((await raw.next('ready')).port)}`;
    const token = await login(appUrl, seeded.admin);
    const calls: [string, string, Record<string, string>][] = [
      ['GET /api/tests', '/api/tests', { authorization: `Bearer ${token}` }],
      ['GET /api/take-test/{token}', `/api/take-test/${seeded.takeToken}`, {}],
    ];
    const mark = async () => void (await (await fetch(`${appUrl}/health`)).text());
    const start = statements(readFileSync(logFile, 'utf8')).length;
    for (const base of [appUrl, rawUrl]) {
      for (const [, path, headers] of calls) {
        await mark();
        const res = await fetch(`${base}${path}`, { headers });
        if (res.status !== 200) throw new Error(`${base}${path}: ${res.status}`);
        await res.text();
      }
    }
    await mark();
    await new Promise((resolve) => setTimeout(resolve, 300)); // the log is relayed asynchronously
    const groups: string[][] = [];
    for (const text of statements(readFileSync(logFile, 'utf8')).slice(start)) {
      if (text === 'SELECT 1') groups.push([]);
      else groups.at(-1)?.push(text);
    }
    let differences = 0;
    calls.forEach(([name], i) => {
      const app = groups[i].filter((text) => !BEARER_CHECK.test(text));
      const baseline = groups[calls.length + i];
      const same = app.length === baseline.length && app.every((text, k) => text === baseline[k]);
      process.stdout.write(`${name}: app ${groups[i].length} statements, baseline ${baseline.length}: `);
      process.stdout.write(same ? 'the same (the bearer check aside)\n' : 'DIFFERENT\n');
      if (same) return;
      differences += 1;
      for (let k = 0; k < Math.max(app.length, baseline.length); k += 1) {
        if (app[k] === baseline[k]) continue;
        const cut = (text = '—') => (process.env.BENCH_SQL_FULL === '1' ? text : text.slice(0, 400));
        process.stdout.write(`  #${k + 1} app:      ${cut(app[k])}\n`);
        process.stdout.write(`  #${k + 1} baseline: ${cut(baseline[k])}\n`);
      }
    });
    return differences === 0 ? 0 : 1;
  } finally {
    for (const child of children) await child.stop();
    await db.drop();
    rmSync(BUILD_DIR, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`sql-check failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
