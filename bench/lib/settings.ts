import { join } from 'node:path';

/** Every knob of `npm run bench`, from BENCH_* environment variables (positive numbers) or these defaults. */
const num = (name: string, fallback: number) => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};

export const settings = {
  /** Throughput comparisons: rounds of slices, subject and baseline taking turns. */
  rounds: num('BENCH_ROUNDS', 3),
  sliceSeconds: num('BENCH_SLICE_SECONDS', 2),
  /** A login takes a good part of a second at saturation: fewer, longer slices. */
  stormRounds: num('BENCH_STORM_ROUNDS', 3),
  stormSliceSeconds: num('BENCH_STORM_SLICE_SECONDS', 2.5),
  /** Before a target's first slice; later slices only re-open connections (REWARM_SECONDS). */
  warmupSeconds: num('BENCH_WARMUP_SECONDS', 1.5),
  connections: num('BENCH_CONNECTIONS', 16),
  loginConcurrency: num('BENCH_LOGIN_CONCURRENCY', 16),
  probeConnections: num('BENCH_PROBE_CONNECTIONS', 2),
  /** The latency probe is open-loop and light, so it does not itself take CPU from the storm it watches. */
  probeRate: num('BENCH_PROBE_RATE', 50),
  bcryptCost: num('BENCH_BCRYPT_COST', 10),
  poolSize: num('BENCH_DB_POOL_SIZE', 10),
  /** libuv thread pool (bcrypt runs there): the same for the app and the bcrypt baseline. */
  threadpoolSize: num('BENCH_UV_THREADPOOL_SIZE', 4),
  /** (d) GET /api/v1/submissions: rows seeded in the bench tenant, each with this many conversation entries. */
  listSubmissions: num('BENCH_LIST_SUBMISSIONS', 200),
  listConversationEntries: num('BENCH_LIST_CONVERSATION_ENTRIES', 10),
  listLimit: num('BENCH_LIST_LIMIT', 50),
  /**
   * (e) Media uploads: this many in flight, each of uploadMb MiB; a slice is uploadsPerSlice uploads, and each
   * side's first slice is preceded by as many again (JIT and page cache warm-up: the first ~1 GiB runs slower).
   * An even number of rounds (A B, B A, …) puts each side first equally often.
   */
  uploadConcurrency: num('BENCH_UPLOAD_CONCURRENCY', 20),
  uploadMb: num('BENCH_UPLOAD_MB', 10),
  uploadsPerSlice: num('BENCH_UPLOADS_PER_SLICE', 100),
  uploadRounds: num('BENCH_UPLOAD_ROUNDS', 6),
  /** The app's MAX_FILE_SIZE: a 10 MiB file (10 485 760 bytes) plus room to spare. */
  maxFileSize: num('BENCH_MAX_FILE_SIZE', 11_000_000),
  /**
   * (f) /health latency while interview submissions of submissionMb MB (recordings as data URIs, the first seed's
   * way) are posted back to back, against the same probe alone; slices of stormSliceSeconds.
   */
  submissionMb: num('BENCH_SUBMISSION_MB', 50),
  submissionRounds: num('BENCH_SUBMISSION_ROUNDS', 2),
  /** (g) GET /api/tests and GET /api/take-test/{token}: tests seeded in their own tenant, questions each. */
  timedTests: num('BENCH_TIMED_TESTS', 10),
  timedTestQuestions: num('BENCH_TIMED_TEST_QUESTIONS', 10),
  /**
   * (h) Simulated candidates on one app instance: a run at each level, every candidate opening the test, starting
   * it, autosaving `candidateAutosaves` times every `autosaveSeconds` (±20 %) and submitting one interval later.
   */
  candidatesLow: num('BENCH_CANDIDATES_LOW', 100),
  candidatesHigh: num('BENCH_CANDIDATES_HIGH', 1000),
  candidateAutosaves: num('BENCH_CANDIDATE_AUTOSAVES', 4),
  autosaveSeconds: num('BENCH_AUTOSAVE_SECONDS', 5),
  /** (h) Candidates arrive (open the test) at random moments over this many seconds, not all at once. */
  candidateRampSeconds: num('BENCH_CANDIDATE_RAMP_SECONDS', 10),
  /**
   * (i) and (j) Live proctoring over Socket.IO (namespace /proctoring): `socketPairs` candidate–proctor pairs (two
   * sockets each), the staff sockets spread over `socketProctors` proctor accounts; once all are connected, every
   * peer signals its partner once per `socketIntervalMs` for `socketWarmupSeconds` (not timed) + `socketSeconds`.
   * `socketRounds` runs of each side (baseline, app; then app, baseline…), handshakes `socketConnectConcurrency` at a
   * time.
   */
  socketPairs: num('BENCH_SOCKET_PAIRS', 500),
  socketProctors: num('BENCH_SOCKET_PROCTORS', 5),
  socketSeconds: num('BENCH_SOCKET_SECONDS', 20),
  socketWarmupSeconds: num('BENCH_SOCKET_WARMUP_SECONDS', 3),
  socketIntervalMs: num('BENCH_SOCKET_INTERVAL_MS', 1000),
  socketConnectConcurrency: num('BENCH_SOCKET_CONNECT_CONCURRENCY', 25),
  socketRounds: num('BENCH_SOCKET_ROUNDS', 1),
  /**
   * (j) The Redis of the two instances (127.0.0.1 only): a database of its own by default, since the app's
   * rate-limit counters there are keyed by client IP and every bench socket comes from 127.0.0.1; the keys the run
   * creates are deleted afterwards.
   */
  redisUrl: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/14',
  /**
   * BENCH_SOCKET_SUBJECT=bare: (i) and (j) measure a second bare Socket.IO server in the app's place — a check of the
   * harness itself (both sides should then agree), usable before the app has its gateway.
   */
  socketSubject: process.env.BENCH_SOCKET_SUBJECT === 'bare' ? ('bare' as const) : ('app' as const),
  /** BENCH_ONLY=f (or a,b,…): run only these scenarios (a and b, c, d, e, f, g, h, i, j); unset: all of them. */
  only: (process.env.BENCH_ONLY ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean),
  /** BENCH_PROFILE=1: the app writes a V8 CPU profile to bench/results/profiles/. */
  profile: process.env.BENCH_PROFILE === '1',
  /** BENCH_STRICT=1: exit 1 when a target fails. */
  strict: process.env.BENCH_STRICT === '1',
};

export const REWARM_SECONDS = 0.5;
/** After a login slice, the requests autocannon abandoned still run on the server: let them finish. */
export const STORM_SETTLE_MS = 1500;
export const RESULTS_DIR = join(__dirname, '..', 'results');
