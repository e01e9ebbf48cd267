import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { BenchDatabase, BenchUser, createBenchDatabase, seedUser } from './lib/database';
import { load, loadWithProbe, LoadResult, LoadSpec, Timing } from './lib/load';
import { BenchChild, childEnv, startChild } from './lib/processes';
import { boundComparison, Comparison, printTable, rateComparison, writeJson } from './lib/report';

/**
 * `npm run bench`: each figure is measured next to its baseline in the same run, against the same database, with
 * the load generator (autocannon, in this process) apart from the servers (child processes). Prints the ratios
 * and writes bench/results/latest.json. Exits 0 whether targets pass or not (BENCH_STRICT=1: 1 on a FAIL); it is
 * not part of `npm test`.
 */
const num = (name: string, fallback: number) => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};

const settings = {
  warmupSeconds: num('BENCH_WARMUP_SECONDS', 1.5),
  durationSeconds: num('BENCH_DURATION_SECONDS', 6),
  connections: num('BENCH_CONNECTIONS', 16),
  loginConcurrency: num('BENCH_LOGIN_CONCURRENCY', 16),
  probeConnections: num('BENCH_PROBE_CONNECTIONS', 2),
  bcryptCost: num('BENCH_BCRYPT_COST', 10),
  poolSize: num('BENCH_DB_POOL_SIZE', 10),
  threadpoolSize: num('BENCH_UV_THREADPOOL_SIZE', 4),
  profile: process.env.BENCH_PROFILE === '1',
};
const timing: Timing = { warmupSeconds: settings.warmupSeconds, durationSeconds: settings.durationSeconds };
const RESULTS_DIR = join(__dirname, 'results');
const SECRET = 'bench-secret-key-that-is-long-enough-0123456789';

interface Servers {
  app: BenchChild;
  appUrl: string;
  express: BenchChild;
  expressUrl: string;
}

async function startServers(db: BenchDatabase): Promise<Servers> {
  const common = {
    DATABASE_URL: db.url,
    DB_POOL_SIZE: String(settings.poolSize),
    UV_THREADPOOL_SIZE: String(settings.threadpoolSize),
    NODE_ENV: 'production',
  };
  const app = startChild(
    'app',
    'server.ts',
    childEnv({
      ...common,
      ENVIRONMENT: 'test',
      LOG_LEVEL: 'silent',
      SECRET_KEY: SECRET,
      BCRYPT_COST: String(settings.bcryptCost),
      MIGRATIONS_RUN: 'false',
      RATE_LIMIT_LOGIN_ACCOUNT_LIMIT: '1000000',
      RATE_LIMIT_LOGIN_IP_LIMIT: '1000000',
    }),
    settings.profile ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${join(RESULTS_DIR, 'profiles')}`] } : {},
  );
  const express = startChild('plain-express', 'baselines/plain-express.ts', childEnv(common));
  const [appReady, expressReady] = await Promise.all([app.next('ready'), express.next('ready')]);
  return {
    app,
    appUrl: `http://127.0.0.1:${appReady.port}`,
    express,
    expressUrl: `http://127.0.0.1:${expressReady.port}`,
  };
}

async function login(appUrl: string, user: BenchUser): Promise<string> {
  const res = await fetch(`${appUrl}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: user.email, password: user.password }),
  });
  if (res.status !== 200) throw new Error(`bench login failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

async function bcryptBaseline(user: BenchUser): Promise<{ perSecond: number; completed: number }> {
  const child = startChild(
    'bcrypt-loop',
    'baselines/bcrypt-loop.ts',
    childEnv({
      UV_THREADPOOL_SIZE: String(settings.threadpoolSize),
      BENCH_HASH: user.hash,
      BENCH_PASSWORD: user.password,
      BENCH_CONCURRENCY: String(settings.loginConcurrency),
      BENCH_WARMUP_SECONDS: String(settings.warmupSeconds),
      BENCH_DURATION_SECONDS: String(settings.durationSeconds),
    }),
  );
  try {
    const result = await child.next('result');
    return { perSecond: Number(result.perSecond), completed: Number(result.completed) };
  } finally {
    await child.stop();
  }
}

function step(label: string): void {
  process.stdout.write(`  · ${label}\n`);
}

async function measureAll(servers: Servers, user: BenchUser) {
  const c = settings.connections;
  const token = await login(servers.appUrl, user);
  const raw: Record<string, LoadResult | { perSecond: number; completed: number }> = {};

  step(`GET /health/static on plain Express (no database), ${c} connections`);
  raw.expressStatic = await load({ url: `${servers.expressUrl}/health/static`, connections: c }, timing);
  step(`GET /health on plain Express + pg SELECT 1, ${c} connections`);
  raw.expressDb = await load({ url: `${servers.expressUrl}/health`, connections: c }, timing);
  step(`GET /health on the app, ${c} connections`);
  raw.appHealth = await load({ url: `${servers.appUrl}/health`, connections: c }, timing);
  step(`GET /auth/me on the app, ${c} connections`);
  const me: LoadSpec = { url: `${servers.appUrl}/auth/me`, connections: c, headers: { authorization: `Bearer ${token}` } };
  raw.appMe = await load(me, timing);

  const probe: LoadSpec = { url: `${servers.appUrl}/health`, connections: settings.probeConnections };
  step(`GET /health latency with no other load, ${settings.probeConnections} connections`);
  raw.probeIdle = await load(probe, { warmupSeconds: 0.5, durationSeconds: Math.min(3, settings.durationSeconds) });

  const n = settings.loginConcurrency;
  step(`bcrypt.compare loop at cost ${settings.bcryptCost}, ${n} in flight, thread pool ${settings.threadpoolSize}`);
  raw.bcrypt = await bcryptBaseline(user);
  step(`POST /auth/login, ${n} connections, with a ${settings.probeConnections}-connection GET /health probe`);
  const storm: LoadSpec = {
    url: `${servers.appUrl}/auth/login`,
    connections: n,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: user.email, password: user.password }),
  };
  const during = await loadWithProbe(storm, probe, timing);
  raw.login = during.main;
  raw.probeDuringLogin = during.probe;
  return raw as {
    expressStatic: LoadResult;
    expressDb: LoadResult;
    appHealth: LoadResult;
    appMe: LoadResult;
    probeIdle: LoadResult;
    bcrypt: { perSecond: number; completed: number };
    login: LoadResult;
    probeDuringLogin: LoadResult;
  };
}

function compare(raw: Awaited<ReturnType<typeof measureAll>>): Comparison[] {
  return [
    rateComparison({
      id: 'a',
      title: 'GET /health (app) vs plain Express + pg SELECT 1  [target]',
      baselineName: 'Express + SELECT 1',
      subjectName: 'app GET /health',
      baseline: raw.expressDb.rps,
      subject: raw.appHealth.rps,
      target: { kind: 'min', value: 0.75 },
    }),
    rateComparison({
      id: 'a′',
      title: 'GET /health (app) vs plain Express, no database',
      baselineName: 'Express, static JSON',
      subjectName: 'app GET /health',
      baseline: raw.expressStatic.rps,
      subject: raw.appHealth.rps,
      target: null,
    }),
    rateComparison({
      id: 'b',
      title: 'GET /auth/me (valid bearer) vs GET /health, same app',
      baselineName: 'app GET /health',
      subjectName: 'app GET /auth/me',
      baseline: raw.appHealth.rps,
      subject: raw.appMe.rps,
      target: { kind: 'min', value: 0.5 },
    }),
    rateComparison({
      id: 'c',
      title: `POST /auth/login (${settings.loginConcurrency} conns) vs bcrypt.compare loop`,
      baselineName: `bcrypt cost ${settings.bcryptCost} ×${settings.loginConcurrency}`,
      subjectName: 'app POST /auth/login',
      baseline: raw.bcrypt.perSecond,
      subject: raw.login.rps,
      target: { kind: 'min', value: 0.8 },
    }),
    boundComparison({
      id: 'c′',
      title: `GET /health p99 during the login storm (${settings.probeConnections} conns)`,
      baselineName: 'p99 with no storm',
      subjectName: 'p99 during storm',
      baseline: raw.probeIdle.latencyMs.p99,
      subject: raw.probeDuringLogin.latencyMs.p99,
      target: { kind: 'max', value: 50 },
    }),
  ];
}

async function main(): Promise<number> {
  const started = Date.now();
  process.stdout.write(
    `Trajectorie benchmarks — ${settings.warmupSeconds}s warm-up + ${settings.durationSeconds}s per side, ` +
      `${cpus().length} CPU(s), Node ${process.version}\n`,
  );
  const cleanups: (() => Promise<void>)[] = [];
  const cleanup = async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn().catch(() => undefined);
  };
  process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));
  try {
    step('preparing the database (migrations, one user with a bcrypt hash)');
    const db = await createBenchDatabase();
    cleanups.push(db.drop);
    const user = await seedUser(db.url, settings.bcryptCost);
    step('starting the app and the plain Express baseline (child processes)');
    const servers = await startServers(db);
    cleanups.push(servers.app.stop, servers.express.stop);

    const raw = await measureAll(servers, user);
    const rows = compare(raw);
    printTable(rows);
    const file = join(RESULTS_DIR, 'latest.json');
    writeJson(file, {
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, cpu_model: cpus()[0]?.model, memory_mb: Math.round(totalmem() / 2 ** 20), node: process.version },
      database: db.source,
      settings,
      comparisons: rows,
      raw,
      elapsed_seconds: Math.round((Date.now() - started) / 1000),
    });
    process.stdout.write(`Results written to ${file} (${Math.round((Date.now() - started) / 1000)} s)\n`);
    const failed = rows.some((row) => row.pass === false);
    return failed && process.env.BENCH_STRICT === '1' ? 1 : 0;
  } finally {
    await cleanup();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
