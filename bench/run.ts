import { rmSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { BUILD_DIR, buildChildren } from './lib/build';
import { BenchDatabase, BenchUser, createBenchDatabase, seedUser } from './lib/database';
import { Aggregate, aggregate, CpuProbe, LoadSpec, Slice, sliceWithProbe } from './lib/load';
import { cpuMs } from './lib/processes';
import { boundComparison, Comparison, printCpuTable, printTable, rateComparison, writeJson } from './lib/report';
import { httpTarget, rotate } from './lib/rotation';
import { bcryptSlice, login, Servers, startServers } from './lib/servers';
import { RESULTS_DIR, settings, STORM_SETTLE_MS } from './lib/settings';

/**
 * `npm run bench`: every figure is measured next to its baseline in the same run, against the same database, with
 * the load generator (autocannon, in this process) apart from the servers (child processes, compiled JavaScript).
 * Subject and baseline take turns in short slices. Prints the ratios (and the CPU each side spent per request) and
 * writes bench/results/latest.json. Exits 0 whether the targets pass or not (BENCH_STRICT=1: 1 on a FAIL); it is
 * not part of `npm test`. Knobs: bench/lib/settings.ts.
 */
interface Probes {
  app: CpuProbe;
  express: CpuProbe;
}

/** (a) and (b): the app's /health and /auth/me, the plain Express baseline with and without its database query. */
function measureThroughput(servers: Servers, token: string, cpu: Probes): Promise<Record<string, Slice[]>> {
  const c = settings.connections;
  const { appUrl, expressUrl } = servers;
  process.stdout.write('Throughput (a, b):\n');
  return rotate(
    [
      httpTarget(
        'expressStatic',
        `plain Express GET /health/static (no database), ${c} connections`,
        { url: `${expressUrl}/health/static`, connections: c },
        cpu.express,
      ),
      httpTarget(
        'expressDb',
        `plain Express GET /health with pg SELECT 1, ${c} connections`,
        { url: `${expressUrl}/health`, connections: c },
        cpu.express,
      ),
      httpTarget('appHealth', `app GET /health, ${c} connections`, { url: `${appUrl}/health`, connections: c }, cpu.app),
      httpTarget(
        'appMe',
        `app GET /auth/me with a bearer token, ${c} connections`,
        { url: `${appUrl}/auth/me`, connections: c, headers: { authorization: `Bearer ${token}` } },
        cpu.app,
      ),
    ],
    settings.rounds,
  );
}

/** (c): logins at saturation vs bare bcrypt compares, and /health latency alone and during the storm. */
function measureLoginStorm(servers: Servers, user: BenchUser, cpu: Probes): Promise<Record<string, Slice[]>> {
  const { loginConcurrency: n, probeConnections: p, probeRate, stormSliceSeconds: seconds } = settings;
  const probe: LoadSpec = { url: `${servers.appUrl}/health`, connections: p, overallRate: probeRate, recordLatencies: true };
  const storm: LoadSpec = {
    url: `${servers.appUrl}/auth/login`,
    connections: n,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: user.email, password: user.password }),
  };
  process.stdout.write('Login storm (c):\n');
  return rotate(
    [
      httpTarget('probeIdle', `app GET /health latency alone, ${probeRate} req/s over ${p} connections`, probe, cpu.app, seconds),
      {
        describe: `bcrypt.compare loop, cost ${settings.bcryptCost}, ${n} in flight, thread pool ${settings.threadpoolSize}`,
        measure: async (warmup) => ({ bcrypt: await bcryptSlice(user, seconds, Math.max(warmup, 1)) }),
      },
      {
        describe: `app POST /auth/login, ${n} connections, and the same GET /health probe alongside`,
        measure: async (warmup) => {
          const both = await sliceWithProbe(storm, probe, seconds, Math.max(warmup, 1), cpu.app);
          await new Promise((resolve) => setTimeout(resolve, STORM_SETTLE_MS));
          return { login: both.main, probeDuringLogin: both.probe };
        },
      },
    ],
    settings.stormRounds,
  );
}

async function measureAll(servers: Servers, db: BenchDatabase, user: BenchUser): Promise<Record<string, Aggregate>> {
  const cpu: Probes = {
    app: () => ({ server: cpuMs(servers.app.process.pid), postgres: db.postgresCpuMs() }),
    express: () => ({ server: cpuMs(servers.express.process.pid), postgres: db.postgresCpuMs() }),
  };
  const token = await login(servers.appUrl, user);
  const all = { ...(await measureThroughput(servers, token, cpu)), ...(await measureLoginStorm(servers, user, cpu)) };
  return Object.fromEntries(Object.entries(all).map(([name, slices]) => [name, aggregate(slices)]));
}

function compare(raw: Record<string, Aggregate>): Comparison[] {
  const { bcryptCost, loginConcurrency, probeRate } = settings;
  return [
    rateComparison({
      id: 'a',
      title: 'GET /health: app vs plain Express + pg SELECT 1 (the target)',
      baselineName: 'Express + SELECT 1',
      subjectName: 'app GET /health',
      baseline: raw.expressDb,
      subject: raw.appHealth,
      target: { kind: 'min', value: 0.75 },
    }),
    rateComparison({
      id: 'a*',
      title: 'GET /health: app vs plain Express, no database (info)',
      baselineName: 'Express, static JSON',
      subjectName: 'app GET /health',
      baseline: raw.expressStatic,
      subject: raw.appHealth,
      target: null,
    }),
    rateComparison({
      id: 'b',
      title: 'GET /auth/me (valid bearer) vs GET /health, same app',
      baselineName: 'app GET /health',
      subjectName: 'app GET /auth/me',
      baseline: raw.appHealth,
      subject: raw.appMe,
      target: { kind: 'min', value: 0.5 },
    }),
    rateComparison({
      id: 'c',
      title: `POST /auth/login (${loginConcurrency} conns) vs bcrypt.compare loop`,
      baselineName: `bcrypt cost ${bcryptCost} x${loginConcurrency}`,
      subjectName: 'app POST /auth/login',
      baseline: raw.bcrypt,
      subject: raw.login,
      target: { kind: 'min', value: 0.8 },
    }),
    boundComparison({
      id: 'c*',
      title: `GET /health p99 during the login storm (${probeRate} req/s probe)`,
      baselineName: 'p99 without the storm',
      subjectName: 'p99 during the storm',
      baseline: raw.probeIdle.p99Ms,
      subject: raw.probeDuringLogin.p99Ms ?? Number.POSITIVE_INFINITY,
      target: { kind: 'max', value: 50 },
    }),
  ];
}

function report(raw: Record<string, Aggregate>, db: BenchDatabase, started: number, load: number): Comparison[] {
  const rows = compare(raw);
  printTable(rows);
  printCpuTable(raw, [
    ['expressStatic', 'plain Express, static JSON'],
    ['expressDb', 'plain Express + SELECT 1'],
    ['appHealth', 'app GET /health'],
    ['appMe', 'app GET /auth/me'],
    ['bcrypt', `bcrypt.compare (cost ${settings.bcryptCost})`],
    ['login', 'app POST /auth/login'],
  ]);
  const file = join(RESULTS_DIR, 'latest.json');
  const elapsed = Math.round((Date.now() - started) / 1000);
  const machine = {
    cpus: cpus().length,
    cpu_model: cpus()[0]?.model,
    memory_mb: Math.round(totalmem() / 2 ** 20),
    node: process.version,
    load_average_at_start: load,
  };
  const result = { date: new Date().toISOString(), machine, database: db.source, settings, comparisons: rows, raw };
  writeJson(file, { ...result, elapsed_seconds: elapsed });
  process.stdout.write(`Results written to ${file} (${elapsed} s)\n`);
  return rows;
}

async function main(): Promise<number> {
  const started = Date.now();
  const load = loadavg()[0];
  process.stdout.write(
    `Trajectorie benchmarks: ${settings.rounds} rounds x ${settings.sliceSeconds}s per side ` +
      `(+${settings.warmupSeconds}s warm-up), ${cpus().length} CPU(s), Node ${process.version}, ` +
      `load average ${load.toFixed(2)}\n`,
  );
  if (load > cpus().length) {
    process.stdout.write('  ! the machine is already busy: req/s will be low and ratios noisier (CPU ratios less so)\n');
  }
  const cleanups: (() => Promise<void>)[] = [];
  const cleanup = async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn().catch(() => undefined);
  };
  process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));
  try {
    process.stdout.write('Setting up: compiling the servers, creating and migrating a database, seeding a user\n');
    buildChildren(['server.ts', 'baselines/plain-express.ts', 'baselines/bcrypt-loop.ts']);
    cleanups.push(async () => rmSync(BUILD_DIR, { recursive: true, force: true }));
    const db = await createBenchDatabase();
    cleanups.push(db.drop);
    const user = await seedUser(db.url, settings.bcryptCost);
    const servers = await startServers(db);
    cleanups.push(servers.app.stop, servers.express.stop);

    const rows = report(await measureAll(servers, db, user), db, started, load);
    return settings.strict && rows.some((row) => row.pass === false) ? 1 : 0;
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
