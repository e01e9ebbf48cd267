import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BenchDatabase, BenchUser } from './database';
import { Slice } from './load';
import { BenchChild, childEnv, startChild } from './processes';
import { RESULTS_DIR, settings } from './settings';

const SECRET = 'bench-secret-key-that-is-long-enough-0123456789';

export interface Servers {
  app: BenchChild;
  appUrl: string;
  express: BenchChild;
  expressUrl: string;
  rawSubmissions: BenchChild;
  rawSubmissionsUrl: string;
  rawUpload: BenchChild;
  rawUploadUrl: string;
  rawTimedTests: BenchChild;
  rawTimedTestsUrl: string;
}

/**
 * True when the app's units of work scope their transaction with `set_config('app.tenant_id', …)` (row-level
 * security): the raw baselines then open theirs the same way (BENCH_RLS=1), so both sides send the same statements.
 */
export function appScopesUnitsOfWork(): boolean {
  const source = readFileSync(join(__dirname, '..', '..', 'src', 'database', 'database.service.ts'), 'utf8');
  return source.includes("set_config('app.tenant_id'");
}

/** Upload folders: the app's STORAGE_PATH (local driver) and the raw upload baseline's, on the same file system. */
export interface UploadDirs {
  app: string;
  raw: string;
}

/** The app and the database baselines connect as the plain application role: row-level security applies. */
function commonEnv(db: BenchDatabase): Record<string, string> {
  return {
    DATABASE_URL: db.appUrl,
    DB_POOL_SIZE: String(settings.poolSize),
    UV_THREADPOOL_SIZE: String(settings.threadpoolSize),
    NODE_ENV: 'production',
  };
}

/** The environment of an app instance (bench/server.ts); `extra` adds to it (REDIS_URL for the instances of j). */
export function appEnv(db: BenchDatabase, uploads: UploadDirs, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return childEnv({
    ...commonEnv(db),
    ENVIRONMENT: 'test',
    LOG_LEVEL: 'silent',
    SECRET_KEY: SECRET,
    BCRYPT_COST: String(settings.bcryptCost),
    MIGRATIONS_RUN: 'false',
    // The login storm is one account from one IP: without this every attempt past the 5th would be a 429.
    RATE_LIMIT_LOGIN_ACCOUNT_LIMIT: '1000000',
    RATE_LIMIT_LOGIN_IP_LIMIT: '1000000',
    // One user hammers each route: the API throttle stays on (its cost is measured) but never refuses.
    THROTTLE_BURST_LIMIT: '1000000',
    THROTTLE_SUSTAINED_LIMIT: '1000000',
    THROTTLE_UPLOAD_LIMIT: '1000000',
    // (g) and (h): every token request comes from 127.0.0.1, and (g) hammers one token: the token-route tier
    // stays on (its cost is measured) but never refuses.
    RATE_LIMIT_INVITE_TOKEN_IP_LIMIT: '1000000',
    RATE_LIMIT_INVITE_TOKEN_LIMIT: '1000000',
    RATE_LIMIT_INVITE_TOKEN_MISSES_LIMIT: '1000000',
    // (i) and (j): 1,000 Socket.IO handshakes from 127.0.0.1 within seconds; the tier stays on but never refuses.
    RATE_LIMIT_PROCTORING_HANDSHAKE_IP_LIMIT: '1000000',
    STORAGE_PROVIDER: 'local',
    STORAGE_PATH: uploads.app,
    MAX_FILE_SIZE: String(settings.maxFileSize),
    ...extra,
  });
}

/**
 * The app (subject) and the baselines, each in its own process, on the same database and pool size: plain Express
 * (a, b), raw node:http + pg for the submissions list of `tenantId` (d), raw node:http writing uploads to a file (e),
 * raw node:http + pg for the tests list and the take-test view of `testsTenantId` (g).
 */
export async function startServers(
  db: BenchDatabase,
  tenantId: string,
  uploads: UploadDirs,
  testsTenantId: string,
): Promise<Servers> {
  const common = commonEnv(db);
  const app = startChild(
    'app',
    'server.ts',
    appEnv(db, uploads),
    settings.profile ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${join(RESULTS_DIR, 'profiles')}`] } : {},
  );
  const express = startChild('plain-express', 'baselines/plain-express.ts', childEnv(common));
  const rawSubmissions = startChild(
    'raw-submissions',
    'baselines/raw-submissions.ts',
    childEnv({ ...common, BENCH_TENANT_ID: tenantId }),
  );
  const rawUpload = startChild(
    'raw-upload',
    'baselines/raw-upload.ts',
    childEnv({ UV_THREADPOOL_SIZE: common.UV_THREADPOOL_SIZE, NODE_ENV: 'production', BENCH_UPLOAD_DIR: uploads.raw }),
  );
  const rawTimedTests = startChild(
    'raw-timed-tests',
    'baselines/raw-timed-tests.ts',
    childEnv({ ...common, BENCH_TENANT_ID: testsTenantId, BENCH_RLS: appScopesUnitsOfWork() ? '1' : '0' }),
  );
  const children = [app, express, rawSubmissions, rawUpload, rawTimedTests];
  let ports: unknown[];
  try {
    ports = (await Promise.all(children.map((child) => child.next('ready')))).map((ready) => ready.port);
  } catch (error) {
    await Promise.all(children.map((child) => child.stop()));
    throw error;
  }
  const url = (index: number) => `http://127.0.0.1:${String(ports[index])}`;
  return {
    app,
    appUrl: url(0),
    express,
    expressUrl: url(1),
    rawSubmissions,
    rawSubmissionsUrl: url(2),
    rawUpload,
    rawUploadUrl: url(3),
    rawTimedTests,
    rawTimedTestsUrl: url(4),
  };
}

export async function login(appUrl: string, user: BenchUser): Promise<string> {
  const res = await fetch(`${appUrl}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: user.email, password: user.password }),
  });
  if (res.status !== 200) throw new Error(`bench login failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** One slice of the bcrypt baseline: a fresh child process (its own warm-up), compares counted like responses. */
export async function bcryptSlice(user: BenchUser, seconds: number, warmupSeconds: number): Promise<Slice> {
  const child = startChild(
    'bcrypt-loop',
    'baselines/bcrypt-loop.ts',
    childEnv({
      UV_THREADPOOL_SIZE: String(settings.threadpoolSize),
      BENCH_HASH: user.hash,
      BENCH_PASSWORD: user.password,
      BENCH_CONCURRENCY: String(settings.loginConcurrency),
      BENCH_WARMUP_SECONDS: String(warmupSeconds),
      BENCH_DURATION_SECONDS: String(seconds),
    }),
  );
  try {
    const result = await child.next('result');
    return {
      ok: Number(result.completed),
      seconds: Number(result.seconds),
      p50: NaN,
      p99: NaN,
      latencies: [],
      cpu: { server: typeof result.cpuMs === 'number' ? result.cpuMs : null, postgres: null },
    };
  } finally {
    await child.stop();
  }
}
