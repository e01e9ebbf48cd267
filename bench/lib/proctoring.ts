import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import type { BenchDatabase } from './database';
import { BenchChild, childEnv, startChild } from './processes';
import { seedProctoring } from './proctoring-seed';
import { appEnv, login, UploadDirs } from './servers';
import { settings } from './settings';
import type { LoadPair } from './socket-protocol';
import { SocketRun, socketRun, socketRunLine, SocketSide } from './socket-run';
import type { TimedTestsTenant } from './timed-tests';

/**
 * (i) and (j): live proctoring relays over Socket.IO. (i) the app's /proctoring namespace on one instance against a
 * bare Socket.IO server (baselines/bare-socketio.ts) under the same load, taking turns; (j) two app instances sharing
 * Redis, candidates on A and staff on B, against (i)'s single instance — and, for information, two bare servers
 * with the Redis adapter. Every pair is a candidate (an invitation whose attempt is in progress) and a staff socket
 * of a proctor of the same tenant watching it; see socket-load.ts for the signalling.
 */
export interface ProctoringRuns {
  /** (i): runs of the bare baseline and of the app, one instance each; absent when i was skipped. */
  bare?: SocketRun[];
  app: SocketRun[];
  /** (j): two app instances, two bare instances; absent when j was skipped or Redis is unreachable. */
  appCluster?: SocketRun[];
  bareCluster?: SocketRun[];
  /** Why j did not run, when it did not. */
  clusterSkipped?: string;
}

const BARE = 'baselines/bare-socketio.ts';

/** The URLs of children once each is ready (null for an absent one); all are stopped if one fails to start. */
async function startAll(children: (BenchChild | null)[]): Promise<(string | null)[]> {
  try {
    const ready = await Promise.all(children.map((child) => child?.next('ready')));
    return ready.map((message) => (message ? `http://127.0.0.1:${String(message.port)}` : null));
  } catch (error) {
    await Promise.all(children.map((child) => child?.stop()));
    throw error;
  }
}

/** The Redis of j, if it answers; every key it holds beforehand is remembered, so that only ours are removed. */
async function openRedis(url: string): Promise<{ redis: Redis; before: Set<string> } | string> {
  if (new URL(url).hostname !== '127.0.0.1') return `BENCH_REDIS_URL must point at 127.0.0.1 (${url})`;
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 2000,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return { redis, before: new Set(await allKeys(redis)) };
  } catch (error) {
    redis.disconnect();
    return `Redis at ${url} is not reachable (${(error as Error).message})`;
  }
}

async function allKeys(redis: Redis): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'COUNT', 1000);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return keys;
}

/** One side of the comparison: how to get its servers for a run (and let them go after it), and where runs go. */
interface Contender {
  into: SocketRun[];
  open(): Promise<{ side: SocketSide; close(): Promise<void> }>;
}

/** A server that lives through every run (the app of i, the bare baseline of i). */
function standing(label: string, child: BenchChild, url: () => string, into: SocketRun[]): Contender {
  return {
    into,
    open: async () => ({
      side: { label, candidateUrl: url(), staffUrl: url(), servers: [child] },
      close: async () => undefined,
    }),
  };
}

/**
 * Two instances started for one run and stopped after it (j), so one run's leftover work (the app records every
 * disconnect) never falls into another's; candidates connect to A, staff to B.
 */
function pairOfInstances(label: string, script: string, env: NodeJS.ProcessEnv, into: SocketRun[]): Contender {
  return {
    into,
    open: async () => {
      const children = [startChild('instance-a', script, env), startChild('instance-b', script, env)];
      const [a, b] = (await startAll(children)) as string[];
      return {
        side: { label, candidateUrl: a, staffUrl: b, servers: children },
        close: async () => void (await Promise.all(children.map((child) => child.stop()))),
      };
    },
  };
}

export async function measureProctoring(options: {
  db: BenchDatabase;
  tests: TimedTestsTenant;
  uploads: UploadDirs;
  app: BenchChild;
  appUrl: string;
  withBaseline: boolean;
  withCluster: boolean;
}): Promise<ProctoringRuns> {
  const { db, tests, uploads, app, appUrl } = options;
  const { socketPairs: n, socketProctors, socketSeconds, socketIntervalMs, socketRounds } = settings;
  const test = tests.tests[2] ?? tests.tests[0];
  const seed = await seedProctoring(db.url, tests.tenantId, test, n, socketProctors, settings.bcryptCost);
  process.stdout.write(
    `Live proctoring relays (i${options.withCluster ? ', j' : ''}): ${n} candidate-proctor pairs (${2 * n} sockets, ` +
      `staff over ${socketProctors} proctor accounts), each peer signalling its partner every ${socketIntervalMs} ms ` +
      `for ${settings.socketWarmupSeconds} + ${socketSeconds} s (the first ${settings.socketWarmupSeconds} s not ` +
      `timed), acknowledged; the load client in its own process; ${socketRounds} run(s) of each side, in turns\n`,
  );
  // Logged in now, not at the start of the bench: access tokens live ACCESS_TOKEN_EXPIRE_MINUTES (15).
  const tokens = await Promise.all(seed.proctors.map((proctor) => login(appUrl, proctor)));
  const pairs: LoadPair[] = seed.invitations.map((invitation, i) => ({
    inviteId: invitation.id,
    inviteToken: invitation.token,
    staffToken: tokens[i % tokens.length],
  }));
  const runs: ProctoringRuns = { app: [] };
  const production = { NODE_ENV: 'production' };
  // BENCH_SOCKET_SUBJECT=bare: a second bare server stands in for the app (a check of the harness).
  const stand = settings.socketSubject === 'bare' ? startChild('bare-subject', BARE, childEnv(production)) : null;
  const bare = options.withBaseline ? startChild('bare-socketio', BARE, childEnv(production)) : null;
  const redis = options.withCluster ? await openRedis(settings.redisUrl) : null;
  try {
    const [standUrl, bareUrl] = await startAll([stand, bare]);
    const contenders: Contender[] = [];
    if (bare) contenders.push(standing('bare Socket.IO, one instance', bare, () => bareUrl!, (runs.bare = [])));
    contenders.push(
      stand
        ? standing('bare Socket.IO standing in for the app', stand, () => standUrl!, runs.app)
        : standing('app, one instance', app, () => appUrl, runs.app),
    );
    if (typeof redis === 'string') {
      runs.clusterSkipped = redis;
      process.stdout.write(`    j skipped: ${redis}\n`);
    } else if (redis) {
      const prefix = `trajectorie-bench-${randomBytes(4).toString('hex')}`;
      const onRedis = { ...production, REDIS_URL: settings.redisUrl };
      contenders.push(
        pairOfInstances(
          'bare Socket.IO + Redis adapter, candidates on A, staff on B',
          BARE,
          childEnv({ ...onRedis, BENCH_REDIS_KEY: prefix }),
          (runs.bareCluster = []),
        ),
        stand
          ? pairOfInstances(
              'bare Socket.IO standing in for the app, candidates on A, staff on B',
              BARE,
              childEnv({ ...onRedis, BENCH_REDIS_KEY: `${prefix}-subject` }),
              (runs.appCluster = []),
            )
          : pairOfInstances(
              'app, candidates on A, staff on B',
              'server.ts',
              appEnv(db, uploads, { REDIS_URL: settings.redisUrl, PROCTORING_REDIS_KEY: `${prefix}-app` }),
              (runs.appCluster = []),
            ),
      );
    }
    // Every side in turn, the order reversed each round; a run waits until the others' servers are idle.
    const quiet = [app, bare, stand].filter((child): child is BenchChild => child !== null);
    for (let round = 0; round < socketRounds; round += 1) {
      for (const contender of round % 2 === 0 ? contenders : [...contenders].reverse()) {
        const { side, close } = await contender.open();
        try {
          const measured = await socketRun(side, pairs, quiet);
          process.stdout.write(socketRunLine(measured));
          contender.into.push(measured);
        } finally {
          await close();
        }
      }
    }
  } finally {
    await Promise.all([stand?.stop(), bare?.stop()]);
    if (redis && typeof redis !== 'string') {
      const created = (await allKeys(redis.redis)).filter((key) => !redis.before.has(key));
      for (let i = 0; i < created.length; i += 500) await redis.redis.del(...created.slice(i, i + 500));
      redis.redis.disconnect();
    }
  }
  return runs;
}

/** Several runs of one side as one: latencies pooled, counts summed, the first run's memory figures. */
export function pooled(list: SocketRun[]): SocketRun {
  if (list.length === 1) return list[0];
  const latencies = list.flatMap((run) => run.latencies).sort((a, b) => a - b);
  const sum = (key: 'sent' | 'acked' | 'ackFailures' | 'lost' | 'unexpected' | 'disconnects' | 'connectFailures') =>
    list.reduce((total, run) => total + run[key], 0);
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)];
  return {
    ...list[0],
    latencies,
    p50: at(50),
    p90: at(90),
    p99: at(99),
    max: latencies[latencies.length - 1],
    sent: sum('sent'),
    acked: sum('acked'),
    ackFailures: sum('ackFailures'),
    lost: sum('lost'),
    unexpected: sum('unexpected'),
    disconnects: sum('disconnects'),
    connectFailures: sum('connectFailures'),
  };
}
