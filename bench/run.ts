import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { BUILD_DIR, buildChildren } from './lib/build';
import {
  BenchDatabase,
  BenchTenant,
  BenchUser,
  createBenchDatabase,
  seedSubmissionsTenant,
  seedUser,
} from './lib/database';
import { Aggregate, aggregate, CpuProbe, LoadSpec, Slice, slice, sliceWithProbe } from './lib/load';
import { cpuMs } from './lib/processes';
import { boundComparison, Comparison, printCpuTable, printTable, rateComparison, Side, writeJson } from './lib/report';
import { httpTarget, rotate, Target } from './lib/rotation';
import { interviewBody, postSubmission } from './lib/submissions';
import { appScopesUnitsOfWork, bcryptSlice, login, Servers, startServers, UploadDirs } from './lib/servers';
import { CandidateRequest, CandidateRun, candidatePercentiles, runCandidates } from './lib/candidates';
import { seedInvitations, seedTimedTestsTenant, TimedTestsTenant } from './lib/timed-tests';
import { measureProctoring, ProctoringRuns } from './lib/proctoring';
import { proctoringRows, proctoringSummary } from './lib/proctoring-report';
import { RESULTS_DIR, settings, STORM_SETTLE_MS } from './lib/settings';
import {
  emptyDir,
  MemoryReport,
  MIB,
  multipartUpload,
  RssWatch,
  storedFiles,
  UploadTarget,
  uploadOnce,
  uploadSlice,
} from './lib/uploads';

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
  rawSubmissions: CpuProbe;
  rawUpload: CpuProbe;
  rawTimedTests: CpuProbe;
}

interface Measured {
  raw: Record<string, Aggregate>;
  /** (h): one run of simulated candidates per level (low, high); absent when (h) was skipped. */
  candidates?: { low: CandidateRun; high: CandidateRun };
  /** RSS of the app and of the raw upload baseline across the whole upload phase (e); absent when (e) was skipped. */
  uploadMemory?: { app: MemoryReport; raw: MemoryReport };
  /** (i) and (j): Socket.IO relay runs; absent when both were skipped. */
  proctoring?: ProctoringRuns;
}

/** BENCH_ONLY: the scenarios to run (all when unset). */
const runs = (scenario: string) => settings.only.length === 0 || settings.only.includes(scenario);

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
      httpTarget(
        'appHealth',
        `app GET /health, ${c} connections`,
        { url: `${appUrl}/health`, connections: c },
        cpu.app,
      ),
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
  const probe: LoadSpec = {
    url: `${servers.appUrl}/health`,
    connections: p,
    overallRate: probeRate,
    recordLatencies: true,
  };
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
      httpTarget(
        'probeIdle',
        `app GET /health latency alone, ${probeRate} req/s over ${p} connections`,
        probe,
        cpu.app,
        seconds,
      ),
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

const listPath = () => `/api/v1/submissions?limit=${settings.listLimit}`;

/**
 * (d): the admin's first page of submissions, app vs the raw node:http + pg baseline. Both answers are compared
 * first (same JSON, same X-Total-Count), so the baseline provably does the same work.
 */
async function measureList(servers: Servers, adminToken: string, cpu: Probes): Promise<Record<string, Slice[]>> {
  const c = settings.connections;
  const appUrl = `${servers.appUrl}${listPath()}`;
  const rawUrl = `${servers.rawSubmissionsUrl}${listPath()}`;
  const [app, raw] = await Promise.all([
    fetch(appUrl, { headers: { authorization: `Bearer ${adminToken}` } }),
    fetch(rawUrl),
  ]);
  const [appBody, rawBody] = [await app.text(), await raw.text()];
  if (app.status !== 200 || raw.status !== 200) throw new Error(`list: app ${app.status}, baseline ${raw.status}`);
  const [appItems, rawItems] = [JSON.parse(appBody) as unknown[], JSON.parse(rawBody) as unknown[]];
  const [appTotal, rawTotal] = [app.headers.get('x-total-count'), raw.headers.get('x-total-count')];
  if (!isDeepStrictEqual(appItems, rawItems) || appTotal !== rawTotal || appItems.length !== settings.listLimit) {
    throw new Error(`list: the baseline's answer differs from the app's (totals ${appTotal} / ${rawTotal})`);
  }
  process.stdout.write(
    `Submissions list (d): ${appItems.length} of ${appTotal} rows, ${Math.round(appBody.length / 1024)} KiB of JSON ` +
      `per response, identical from both\n`,
  );
  return rotate(
    [
      httpTarget(
        'rawList',
        `raw node:http + pg GET ${listPath()} (same SQL and JSON, in the same transaction with set_config, ` +
          `as the app role under RLS; no bearer check), ${c} connections`,
        { url: rawUrl, connections: c },
        cpu.rawSubmissions,
      ),
      httpTarget(
        'appList',
        `app GET ${listPath()} as an admin, ${c} connections`,
        { url: appUrl, connections: c, headers: { authorization: `Bearer ${adminToken}` } },
        cpu.app,
      ),
    ],
    settings.rounds,
  );
}

/**
 * (e): uploads of the same multipart body, `uploadConcurrency` in flight, to the app's media route (local driver,
 * spread over the tenant's submissions) and to the raw baseline writing the body to a file. The RSS of both servers
 * is watched from before the first upload to after the last (warm-ups included). Each upload folder is emptied
 * after every slice.
 */
async function measureUploads(
  servers: Servers,
  adminToken: string,
  tenant: BenchTenant,
  dirs: UploadDirs,
  cpu: Probes,
): Promise<{ slices: Record<string, Slice[]>; memory: Measured['uploadMemory'] }> {
  const { uploadConcurrency: n, uploadMb, uploadsPerSlice } = settings;
  const upload = multipartUpload(Math.round(uploadMb * MIB));
  const ids = tenant.submissionIds;
  const appTarget: UploadTarget = {
    url: (i) => `${servers.appUrl}/api/v1/submissions/${ids[i % ids.length]}/media`,
    headers: { authorization: `Bearer ${adminToken}` },
    check: (_status, body) => {
      const stored = JSON.parse(body) as { media_file_id?: string; file_size?: number | string };
      if (!stored.media_file_id || Number(stored.file_size) !== upload.fileBytes) {
        throw new Error(`app upload: unexpected answer ${body.slice(0, 300)}`);
      }
    },
  };
  const rawTarget: UploadTarget = {
    url: () => `${servers.rawUploadUrl}/upload`,
    headers: {},
    check: (_status, body) => {
      if ((JSON.parse(body) as { file_size?: number }).file_size !== upload.body.length) {
        throw new Error(`raw upload: unexpected answer ${body}`);
      }
    },
  };
  const agents = {
    // Idle sockets are dropped after 4 s, before the servers' 5 s keep-alive timeout closes them: otherwise, when a
    // slice of the other side ran longer than that, a reused socket can be one the server is closing (write EPIPE).
    app: new Agent({ keepAlive: true, maxSockets: n, timeout: 4000 }),
    raw: new Agent({ keepAlive: true, maxSockets: n, timeout: 4000 }),
  };
  const watches = { app: new RssWatch(servers.app), raw: new RssWatch(servers.rawUpload) };
  try {
    // One of each first: the app must have stored exactly the file, the baseline exactly the body.
    await uploadOnce(agents.app, appTarget, upload, 0);
    await uploadOnce(agents.raw, rawTarget, upload, 0);
    const [appFiles, rawFiles] = [storedFiles(dirs.app), storedFiles(dirs.raw)];
    if (appFiles.length !== 1 || appFiles[0].size !== upload.fileBytes) {
      throw new Error(
        `app upload: expected one ${upload.fileBytes}-byte file in STORAGE_PATH, found ${JSON.stringify(appFiles)}`,
      );
    }
    if (rawFiles.length !== 1 || rawFiles[0].size !== upload.body.length) {
      throw new Error(`raw upload: expected one ${upload.body.length}-byte file, found ${JSON.stringify(rawFiles)}`);
    }
    emptyDir(dirs.app);
    emptyDir(dirs.raw);
    process.stdout.write(
      `Uploads (e): ${uploadsPerSlice} x ${uploadMb} MiB per slice, ${n} in flight, ` +
        `${upload.body.length - upload.fileBytes} bytes of multipart envelope each\n`,
    );
    const target = (name: string, describe: string, side: 'app' | 'raw', probe: CpuProbe, t: UploadTarget): Target => {
      let warmed = false;
      return {
        describe,
        measure: async () => {
          const warmup = warmed ? 0 : uploadsPerSlice;
          warmed = true;
          try {
            const measured = await uploadSlice(
              agents[side],
              t,
              upload,
              { count: uploadsPerSlice, concurrency: n, warmup, afterWarmup: () => emptyDir(dirs[side]) },
              probe,
            );
            return { [name]: measured };
          } finally {
            emptyDir(dirs[side]);
          }
        },
      };
    };
    const slices = await rotate(
      [
        target(
          'rawUpload',
          `raw node:http piping the body to a file, ${n} x ${uploadMb} MiB in flight`,
          'raw',
          cpu.rawUpload,
          rawTarget,
        ),
        target(
          'appUpload',
          `app POST /api/v1/submissions/:id/media (local driver), ${n} x ${uploadMb} MiB in flight`,
          'app',
          cpu.app,
          appTarget,
        ),
      ],
      settings.uploadRounds,
    );
    const memory = { app: await watches.app.stop(), raw: await watches.raw.stop() };
    process.stdout.write(`    memory: app ${memoryLine(memory.app)}\n            raw ${memoryLine(memory.raw)}\n`);
    return { slices, memory };
  } finally {
    await Promise.all([watches.app.stop(), watches.raw.stop()]);
    agents.app.destroy();
    agents.raw.destroy();
  }
}

/** RSS from /proc, and the process's own account of what grew: V8's heap, or buffers (ArrayBuffers) in flight. */
function memoryLine(m: MemoryReport): string {
  const f = (value: number) => value.toFixed(1);
  if (m.startMib === null || m.peakMib === null) return 'RSS not readable';
  const own = m.own
    ? `; heap total ${f(m.own.start.heapTotal)} -> peak ${f(m.own.peak.heapTotal)}, ` +
      `ArrayBuffers ${f(m.own.start.arrayBuffers)} -> peak ${f(m.own.peak.arrayBuffers)}`
    : '';
  return `RSS ${f(m.startMib)} -> peak ${f(m.peakMib)} MiB (+${f(m.peakMib - m.startMib)})${own}`;
}

/**
 * (f): GET /health latency while interview submissions of `submissionMb` MB — recordings embedded as base64 data
 * URIs, the first seed's way — are posted one after another (each parsed off the event loop, its recordings
 * stored as media files), against the same light probe alone. The stored files are removed after every slice.
 */
async function measureSubmissions(
  servers: Servers,
  adminToken: string,
  dirs: UploadDirs,
  cpu: Probes,
): Promise<Record<string, Slice[]>> {
  const { probeConnections: p, probeRate, stormSliceSeconds: seconds, submissionMb: mb } = settings;
  const probe: LoadSpec = {
    url: `${servers.appUrl}/health`,
    connections: p,
    overallRate: probeRate,
    recordLatencies: true,
  };
  const { body, recordingBytes } = interviewBody(mb);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  process.stdout.write(
    `Submissions with embedded recordings (f): ${(body.length / 1e6).toFixed(1)} MB bodies, 4 recordings of ` +
      `${(recordingBytes / 1e6).toFixed(1)} MB each, one in flight\n`,
  );
  await postSubmission(agent, servers.appUrl, adminToken, body); // checked once; this also starts the worker thread
  emptyDir(dirs.app);
  try {
    return await rotate(
      [
        httpTarget(
          'probeIdleSubmission',
          `app GET /health latency alone, ${probeRate} req/s over ${p} connections`,
          probe,
          cpu.app,
          seconds,
        ),
        {
          describe: `app POST /api/v1/submissions (${mb} MB, back to back) and the same GET /health probe alongside`,
          measure: async () => {
            let stop = false;
            let posted = 0;
            const started = performance.now();
            const poster = (async () => {
              while (!stop) {
                await postSubmission(agent, servers.appUrl, adminToken, body);
                posted += 1;
              }
            })();
            try {
              const during = await slice(probe, seconds, 0);
              stop = true;
              await poster;
              const elapsed = (performance.now() - started) / 1000;
              const submission: Slice = {
                ok: posted,
                seconds: elapsed,
                p50: Number.NaN,
                p99: Number.NaN,
                latencies: [],
                cpu: { server: null, postgres: null },
              };
              return { probeDuringSubmission: during, submission };
            } finally {
              stop = true;
              await poster.catch(() => undefined);
              emptyDir(dirs.app);
            }
          },
        },
      ],
      settings.submissionRounds,
    );
  } finally {
    agent.destroy();
  }
}

/** The app's answer and the baseline's for the same call, compared as JSON (after `normalise`) before measuring. */
async function sameAnswer(
  what: string,
  appUrl: string,
  rawUrl: string,
  headers: Record<string, string>,
  normalise: (body: Record<string, unknown>) => void = () => undefined,
): Promise<{ bytes: number; total: string | null }> {
  const [app, raw] = await Promise.all([fetch(appUrl, { headers }), fetch(rawUrl)]);
  const [appBody, rawBody] = [await app.text(), await raw.text()];
  if (app.status !== 200 || raw.status !== 200) {
    throw new Error(`${what}: app ${app.status}, baseline ${raw.status}: ${appBody.slice(0, 300)}`);
  }
  const [appJson, rawJson] = [JSON.parse(appBody) as unknown, JSON.parse(rawBody) as unknown];
  for (const body of [appJson, rawJson]) if (!Array.isArray(body)) normalise(body as Record<string, unknown>);
  const [appTotal, rawTotal] = [app.headers.get('x-total-count'), raw.headers.get('x-total-count')];
  if (!isDeepStrictEqual(appJson, rawJson) || appTotal !== rawTotal) {
    throw new Error(
      `${what}: the baseline's answer differs from the app's (totals ${appTotal} / ${rawTotal})\n` +
        `  app:      ${JSON.stringify(appJson).slice(0, 600)}\n  baseline: ${JSON.stringify(rawJson).slice(0, 600)}`,
    );
  }
  return { bytes: appBody.length, total: appTotal };
}

/**
 * (g): the candidate's view of a test in progress (GET /api/take-test/{token}: invitation, test without answer keys,
 * saved answers) and the admin's list of tests with their questions (GET /api/tests), each app vs the raw
 * node:http + pg baseline sending the same statements (bench/baselines/raw-timed-tests.ts). Both answers are compared
 * first; the take-test view's `server_time` and `remaining_time_seconds` depend on the moment and are left out.
 */
async function measureTimedTests(
  servers: Servers,
  tests: TimedTestsTenant,
  adminToken: string,
  cpu: Probes,
): Promise<Record<string, Slice[]>> {
  const c = settings.connections;
  const takePath = `/api/take-test/${tests.takeToken}`;
  const auth = { authorization: `Bearer ${adminToken}` };
  const take = await sameAnswer(
    'take-test',
    `${servers.appUrl}${takePath}`,
    `${servers.rawTimedTestsUrl}${takePath}`,
    {},
    (body) => {
      delete body.server_time;
      delete body.remaining_time_seconds;
    },
  );
  const list = await sameAnswer(
    'tests list',
    `${servers.appUrl}/api/tests`,
    `${servers.rawTimedTestsUrl}/api/tests`,
    auth,
  );
  process.stdout.write(
    `Timed tests (g): take-test ${Math.round(take.bytes / 1024)} KiB (${settings.timedTestQuestions} questions, ` +
      `${tests.savedAnswers} saved answers); tests list ${Math.round(list.bytes / 1024)} KiB (${list.total} tests × ` +
      `${settings.timedTestQuestions} questions); identical from both; baselines ` +
      `${appScopesUnitsOfWork() ? 'scope their transactions (set_config), as the app does' : 'in plain transactions, as the app'}\n`,
  );
  return rotate(
    [
      httpTarget(
        'rawTake',
        `raw node:http + pg GET /api/take-test/{token} (same SQL and JSON, no rate limiter), ${c} connections`,
        { url: `${servers.rawTimedTestsUrl}${takePath}`, connections: c },
        cpu.rawTimedTests,
      ),
      httpTarget(
        'appTake',
        `app GET /api/take-test/{token}, ${c} connections`,
        { url: `${servers.appUrl}${takePath}`, connections: c },
        cpu.app,
      ),
      httpTarget(
        'rawTests',
        `raw node:http + pg GET /api/tests (same SQL and JSON, no bearer check), ${c} connections`,
        { url: `${servers.rawTimedTestsUrl}/api/tests`, connections: c },
        cpu.rawTimedTests,
      ),
      httpTarget(
        'appTests',
        `app GET /api/tests as an admin, ${c} connections`,
        { url: `${servers.appUrl}/api/tests`, connections: c, headers: auth },
        cpu.app,
      ),
    ],
    settings.rounds,
  );
}

const ms = (value: number | null) => (value === null ? '—' : value.toFixed(2));

function candidateLine(label: string, run: CandidateRun): string {
  const all = candidatePercentiles(run);
  const kinds = (['take', 'start', 'autosave', 'submit'] as CandidateRequest[])
    .map((kind) => {
      const p = candidatePercentiles(run, kind);
      return `${kind} p50 ${p.p50.toFixed(1)} / p95 ${p.p95.toFixed(1)} ms`;
    })
    .join('; ');
  return (
    `    ${label}: ${all.count} requests in ${run.seconds.toFixed(1)} s (${(all.count / run.seconds).toFixed(0)} req/s), ` +
    `p50 ${all.p50.toFixed(1)} / p95 ${all.p95.toFixed(1)} / p99 ${all.p99.toFixed(1)} ms; ${run.failures} failed; ` +
    `${run.lostAnswers} of ${run.expectedAnswers} acknowledged answers lost, ${run.unsubmitted} acknowledged ` +
    `submits not submitted\n` +
    `      ${kinds}\n` +
    `      CPU per request: app ${ms(run.cpuMsPerRequest.server)} ms, PostgreSQL ${ms(run.cpuMsPerRequest.postgres)} ms\n` +
    run.failureSamples.map((sample) => `      ! ${sample}\n`).join('')
  );
}

/**
 * (h): simulated candidates on the one app instance, `candidatesLow` then `candidatesHigh` of them (lib/candidates.ts),
 * each on fresh invitations inserted beforehand (not measured). A small unmeasured run first warms the app up.
 */
async function measureCandidates(
  servers: Servers,
  db: BenchDatabase,
  tests: TimedTestsTenant,
  cpu: Probes,
): Promise<{ low: CandidateRun; high: CandidateRun }> {
  const { candidatesLow, candidatesHigh, candidateAutosaves: autosaves, autosaveSeconds } = settings;
  const test = tests.tests[1] ?? tests.tests[0];
  process.stdout.write(
    `Simulated candidates (h): arriving over ${settings.candidateRampSeconds} s, each opens, starts, autosaves ` +
      `${autosaves} times every ~${autosaveSeconds} s (growing answers) and submits; ${candidatesLow} then ` +
      `${candidatesHigh} on one instance\n`,
  );
  const level = async (
    count: number,
    label: string,
    interval = autosaveSeconds,
    ramp = settings.candidateRampSeconds,
  ) => {
    const invitations = await seedInvitations(db.url, tests.tenantId, test.testId, count, label);
    return runCandidates({
      appUrl: servers.appUrl,
      test,
      invitations,
      autosaves,
      intervalSeconds: interval,
      rampSeconds: ramp,
      databaseUrl: db.url,
      cpu: cpu.app,
    });
  };
  await level(Math.min(50, candidatesLow), 'warmup', 0.5, 1);
  const low = await level(candidatesLow, 'low');
  process.stdout.write(candidateLine(`${candidatesLow} candidates`, low));
  const high = await level(candidatesHigh, 'high');
  process.stdout.write(candidateLine(`${candidatesHigh} candidates`, high));
  return { low, high };
}

async function measureAll(
  servers: Servers,
  db: BenchDatabase,
  user: BenchUser,
  tenant: BenchTenant,
  dirs: UploadDirs,
  tests: TimedTestsTenant,
): Promise<Measured> {
  const probe =
    (pid: number | undefined): CpuProbe =>
    () => ({ server: cpuMs(pid), postgres: db.postgresCpuMs() });
  const cpu: Probes = {
    app: probe(servers.app.process.pid),
    express: probe(servers.express.process.pid),
    rawSubmissions: probe(servers.rawSubmissions.process.pid),
    rawUpload: probe(servers.rawUpload.process.pid),
    rawTimedTests: probe(servers.rawTimedTests.process.pid),
  };
  const token = await login(servers.appUrl, user);
  const adminToken = await login(servers.appUrl, tenant.admin);
  const all: Record<string, Slice[]> = {};
  if (runs('a') || runs('b')) Object.assign(all, await measureThroughput(servers, token, cpu));
  if (runs('c')) Object.assign(all, await measureLoginStorm(servers, user, cpu));
  if (runs('d')) Object.assign(all, await measureList(servers, adminToken, cpu));
  let uploadMemory: Measured['uploadMemory'];
  if (runs('e')) {
    const uploads = await measureUploads(servers, adminToken, tenant, dirs, cpu);
    Object.assign(all, uploads.slices);
    uploadMemory = uploads.memory;
  }
  if (runs('f')) Object.assign(all, await measureSubmissions(servers, adminToken, dirs, cpu));
  if (runs('g'))
    Object.assign(all, await measureTimedTests(servers, tests, await login(servers.appUrl, tests.admin), cpu));
  const candidates = runs('h') ? await measureCandidates(servers, db, tests, cpu) : undefined;
  const proctoring =
    runs('i') || runs('j')
      ? await measureProctoring({
          db,
          tests,
          uploads: dirs,
          app: servers.app,
          appUrl: servers.appUrl,
          withBaseline: runs('i'),
          withCluster: runs('j'),
        })
      : undefined;
  const raw = Object.fromEntries(Object.entries(all).map(([name, slices]) => [name, aggregate(slices)]));
  return { raw, uploadMemory, candidates, proctoring };
}

/** Uploads as MiB/s, and CPU per MiB (so the CPU ratio compares like with like). */
function perMib(side: Aggregate): Side {
  const mb = settings.uploadMb;
  const per = (value: number | null) => (value === null ? null : value / mb);
  return {
    rps: side.rps * mb,
    cpuMsPerRequest: { server: per(side.cpuMsPerRequest.server), postgres: per(side.cpuMsPerRequest.postgres) },
  };
}

function compare({ raw, uploadMemory, candidates, proctoring }: Measured): Comparison[] {
  const { bcryptCost, loginConcurrency, probeRate, listLimit, uploadConcurrency, uploadMb } = settings;
  // Each row with the measurements it needs: rows of skipped scenarios (BENCH_ONLY) are left out.
  const rows: [string[], () => Comparison][] = [
    [
      ['expressDb', 'appHealth'],
      () =>
        rateComparison({
          id: 'a',
          title: 'GET /health: app vs plain Express + pg SELECT 1 (the target)',
          baselineName: 'Express + SELECT 1',
          subjectName: 'app GET /health',
          baseline: raw.expressDb,
          subject: raw.appHealth,
          target: { kind: 'min', value: 0.75 },
        }),
    ],
    [
      ['expressStatic', 'appHealth'],
      () =>
        rateComparison({
          id: 'a*',
          title: 'GET /health: app vs plain Express, no database (info)',
          baselineName: 'Express, static JSON',
          subjectName: 'app GET /health',
          baseline: raw.expressStatic,
          subject: raw.appHealth,
          target: null,
        }),
    ],
    [
      ['appHealth', 'appMe'],
      () =>
        rateComparison({
          id: 'b',
          title: 'GET /auth/me (valid bearer) vs GET /health, same app',
          baselineName: 'app GET /health',
          subjectName: 'app GET /auth/me',
          baseline: raw.appHealth,
          subject: raw.appMe,
          // Row-level security's budget: the principal lookup crosses tenants inside a SQL function (one round trip).
          target: { kind: 'min', value: 0.45 },
        }),
    ],
    [
      ['bcrypt', 'login'],
      () =>
        rateComparison({
          id: 'c',
          title: `POST /auth/login (${loginConcurrency} conns) vs bcrypt.compare loop`,
          baselineName: `bcrypt cost ${bcryptCost} x${loginConcurrency}`,
          subjectName: 'app POST /auth/login',
          baseline: raw.bcrypt,
          subject: raw.login,
          target: { kind: 'min', value: 0.8 },
        }),
    ],
    [
      ['probeIdle', 'probeDuringLogin'],
      () =>
        boundComparison({
          id: 'c*',
          title: `GET /health p99 during the login storm (${probeRate} req/s probe)`,
          baselineName: 'p99 without the storm',
          subjectName: 'p99 during the storm',
          baseline: raw.probeIdle.p99Ms,
          subject: raw.probeDuringLogin.p99Ms ?? Number.POSITIVE_INFINITY,
          target: { kind: 'max', value: 50 },
        }),
    ],
    [
      ['rawList', 'appList'],
      () =>
        rateComparison({
          id: 'd',
          title: `GET /api/v1/submissions?limit=${listLimit} (admin) vs raw node:http + pg`,
          baselineName: 'raw http + pg, same SQL/JSON',
          subjectName: 'app GET /api/v1/submissions',
          baseline: raw.rawList,
          subject: raw.appList,
          // Against a baseline that runs the same unit of work (transaction + set_config, as the app role).
          target: { kind: 'min', value: 0.7 },
        }),
    ],
    [
      ['rawUpload', 'appUpload'],
      () =>
        rateComparison({
          id: 'e',
          title: `${uploadConcurrency} concurrent ${uploadMb} MiB uploads (local disk) vs raw node:http to a file`,
          baselineName: 'raw http body -> file',
          subjectName: 'app POST /submissions/:id/media',
          baseline: perMib(raw.rawUpload),
          subject: perMib(raw.appUpload),
          unit: 'MiB/s',
          target: { kind: 'min', value: 0.5 },
        }),
    ],
    [
      ['appUpload'],
      () =>
        boundComparison({
          id: 'e*',
          title: `app RSS rise during the uploads (peak - before, ${uploadMemory!.app.method})`,
          baselineName: 'raw baseline rise',
          subjectName: 'app rise',
          baseline: uploadMemory!.raw.riseMib,
          subject: uploadMemory!.app.riseMib ?? Number.POSITIVE_INFINITY,
          unit: 'MiB',
          target: { kind: 'max', value: 64 },
        }),
    ],
    [
      ['appUpload'],
      () =>
        boundComparison({
          id: 'e**',
          title: 'peak ArrayBuffers (off-heap bytes) during the uploads (info)',
          baselineName: 'raw baseline peak',
          subjectName: 'app peak',
          baseline: uploadMemory!.raw.own?.peak.arrayBuffers ?? null,
          subject: uploadMemory!.app.own?.peak.arrayBuffers ?? Number.NaN,
          unit: 'MiB',
          target: null,
        }),
    ],
    [
      ['probeIdleSubmission', 'probeDuringSubmission'],
      () =>
        boundComparison({
          id: 'f',
          title: `GET /health p99 during ${settings.submissionMb} MB submissions, recordings as data URIs (${probeRate} req/s probe)`,
          baselineName: 'p99 without them',
          subjectName: 'p99 during them',
          baseline: raw.probeIdleSubmission.p99Ms,
          subject: raw.probeDuringSubmission.p99Ms ?? Number.POSITIVE_INFINITY,
          target: { kind: 'max', value: 100 },
        }),
    ],
    [
      ['rawTake', 'appTake'],
      () =>
        rateComparison({
          id: 'g',
          title: 'GET /api/take-test/{token} (attempt in progress) vs raw node:http + pg',
          baselineName: 'raw http + pg, same SQL/JSON',
          subjectName: 'app GET /api/take-test',
          baseline: raw.rawTake,
          subject: raw.appTake,
          target: { kind: 'min', value: 0.5 },
        }),
    ],
    [
      ['rawTests', 'appTests'],
      () =>
        rateComparison({
          id: 'g*',
          title: `GET /api/tests (${settings.timedTests} tests × ${settings.timedTestQuestions} questions, admin) vs raw node:http + pg`,
          baselineName: 'raw http + pg, same SQL/JSON',
          subjectName: 'app GET /api/tests',
          baseline: raw.rawTests,
          subject: raw.appTests,
          target: { kind: 'min', value: 0.5 },
        }),
    ],
  ];
  const measured = rows.filter(([keys]) => keys.every((key) => raw[key] !== undefined)).map(([, row]) => row());
  if (candidates) {
    const { low, high } = candidates;
    const [p95Low, p95High] = [candidatePercentiles(low).p95, candidatePercentiles(high).p95];
    const { candidatesLow: nLow, candidatesHigh: nHigh } = settings;
    measured.push(
      boundComparison({
        id: 'h',
        title: `candidate requests (open, start, autosave, submit), ${nHigh} simulated candidates on one instance`,
        baselineName: `p95 with ${nLow}`,
        subjectName: `p95 with ${nHigh}`,
        baseline: p95Low,
        subject: Number.isNaN(p95High) ? Number.POSITIVE_INFINITY : p95High,
        boundLabel: 'p95',
        target: { kind: 'max', value: 200 },
      }),
      boundComparison({
        id: 'h*',
        title: `p95 with ${nHigh} candidates / p95 with ${nLow}`,
        baselineName: '',
        subjectName: '',
        baseline: null,
        subject: p95High / p95Low,
        unit: 'x',
        boundLabel: `p95(${nHigh}) / p95(${nLow})`,
        target: { kind: 'max', value: 2 },
      }),
      boundComparison({
        id: 'h**',
        title: `acknowledged answers missing from the final results (${nLow} and ${nHigh} candidates)`,
        baselineName: `lost with ${nLow}`,
        subjectName: `with ${nHigh}`,
        baseline: low.lostAnswers + low.unsubmitted,
        subject: high.lostAnswers + high.unsubmitted,
        unit: 'count',
        boundLabel: 'lost',
        target: { kind: 'max', value: 0 },
      }),
      boundComparison({
        id: 'h***',
        title: `candidate requests refused or failed (non-2xx, socket errors) (${nLow} and ${nHigh} candidates)`,
        baselineName: `failed with ${nLow}`,
        subjectName: `with ${nHigh}`,
        baseline: low.failures,
        subject: high.failures,
        unit: 'count',
        boundLabel: 'failed',
        target: { kind: 'max', value: 0 },
      }),
    );
    // both levels must be clean, not only the high one
    for (const row of measured.slice(-2)) if (row.baseline !== 0) row.pass = false;
  }
  if (proctoring) measured.push(...proctoringRows(proctoring));
  return measured;
}

/** (h) in latest.json: percentiles overall and by request kind, without the raw latency lists. */
function candidateSummary(run: CandidateRun) {
  const kinds = ['take', 'start', 'autosave', 'submit'] as CandidateRequest[];
  return {
    candidates: run.candidates,
    seconds: run.seconds,
    all: candidatePercentiles(run),
    by_request: Object.fromEntries(kinds.map((kind) => [kind, candidatePercentiles(run, kind)])),
    failures: run.failures,
    failure_samples: run.failureSamples,
    lost_answers: run.lostAnswers,
    expected_answers: run.expectedAnswers,
    unsubmitted: run.unsubmitted,
    cpu_ms_per_request: run.cpuMsPerRequest,
  };
}

function report(measured: Measured, db: BenchDatabase, started: number, load: number): Comparison[] {
  const { raw, uploadMemory, candidates, proctoring } = measured;
  const rows = compare(measured);
  printTable(rows);
  printCpuTable(raw, [
    ['expressStatic', 'plain Express, static JSON'],
    ['expressDb', 'plain Express + SELECT 1'],
    ['appHealth', 'app GET /health'],
    ['appMe', 'app GET /auth/me'],
    ['bcrypt', `bcrypt.compare (cost ${settings.bcryptCost})`],
    ['login', 'app POST /auth/login'],
    ['rawList', 'raw http + pg, submissions list'],
    ['appList', 'app GET /api/v1/submissions'],
    ['rawUpload', `raw upload (per ${settings.uploadMb} MiB upload)`],
    ['appUpload', `app upload (per ${settings.uploadMb} MiB upload)`],
    ['rawTake', 'raw http + pg, take-test view'],
    ['appTake', 'app GET /api/take-test/{token}'],
    ['rawTests', 'raw http + pg, tests list'],
    ['appTests', 'app GET /api/tests'],
  ]);
  if (raw.submission) {
    const { ok, seconds } = raw.submission;
    process.stdout.write(
      `(f) ${ok} submissions of ${settings.submissionMb} MB in ${seconds.toFixed(1)} s: ${((seconds * 1000) / ok).toFixed(0)} ms each\n\n`,
    );
  }
  const file = join(RESULTS_DIR, 'latest.json');
  const elapsed = Math.round((Date.now() - started) / 1000);
  const machine = {
    cpus: cpus().length,
    cpu_model: cpus()[0]?.model,
    memory_mb: Math.round(totalmem() / 2 ** 20),
    node: process.version,
    load_average_at_start: load,
  };
  const result = {
    date: new Date().toISOString(),
    machine,
    database: db.source,
    settings,
    comparisons: rows,
    raw,
    upload_memory_mib: uploadMemory,
    candidates: candidates && {
      low: candidateSummary(candidates.low),
      high: candidateSummary(candidates.high),
    },
    proctoring: proctoring && proctoringSummary(proctoring),
  };
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
    process.stdout.write(
      '  ! the machine is already busy: req/s will be low and ratios noisier (CPU ratios less so)\n',
    );
  }
  const cleanups: (() => Promise<void>)[] = [];
  const cleanup = async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn().catch(() => undefined);
  };
  process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));
  try {
    process.stdout.write(
      'Setting up: compiling the servers, creating and migrating a database, seeding a user, a tenant with ' +
        'submissions and a tenant with timed tests\n',
    );
    buildChildren([
      'server.ts',
      'baselines/plain-express.ts',
      'baselines/bcrypt-loop.ts',
      'baselines/raw-submissions.ts',
      'baselines/raw-upload.ts',
      'baselines/raw-timed-tests.ts',
      'baselines/bare-socketio.ts',
      'socket-load.ts',
    ]);
    cleanups.push(async () => rmSync(BUILD_DIR, { recursive: true, force: true }));
    const uploadRoot = mkdtempSync(join(tmpdir(), 'trajectorie-bench-uploads-'));
    cleanups.push(async () => rmSync(uploadRoot, { recursive: true, force: true }));
    const dirs: UploadDirs = { app: join(uploadRoot, 'app'), raw: join(uploadRoot, 'raw') };
    mkdirSync(dirs.app);
    mkdirSync(dirs.raw);
    const db = await createBenchDatabase();
    cleanups.push(db.drop);
    const user = await seedUser(db.url, settings.bcryptCost);
    const tenant = await seedSubmissionsTenant(
      db.url,
      settings.bcryptCost,
      settings.listSubmissions,
      settings.listConversationEntries,
    );
    const tests = await seedTimedTestsTenant(
      db.url,
      settings.bcryptCost,
      settings.timedTests,
      settings.timedTestQuestions,
      120,
    );
    const servers = await startServers(db, tenant.tenantId, dirs, tests.tenantId);
    cleanups.push(
      servers.app.stop,
      servers.express.stop,
      servers.rawSubmissions.stop,
      servers.rawUpload.stop,
      servers.rawTimedTests.stop,
    );

    const rows = report(await measureAll(servers, db, user, tenant, dirs, tests), db, started, load);
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
