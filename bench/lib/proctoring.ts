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
      `timed), acknowledged; the load client in its own process\n`,
  );
  // Logged in now, not at the start of the bench: access tokens live ACCESS_TOKEN_EXPIRE_MINUTES (15).
  const tokens = await Promise.all(seed.proctors.map((proctor) => login(appUrl, proctor)));
  const pairs: LoadPair[] = seed.invitations.map((invitation, i) => ({
    inviteId: invitation.id,
    inviteToken: invitation.token,
    staffToken: tokens[i % tokens.length],
  }));
  const runs: ProctoringRuns = { app: [] };

  // BENCH_SOCKET_SUBJECT=bare: a second bare server stands in for the app (a check of the harness).
  const stand =
    settings.socketSubject === 'bare' ? startChild('bare-subject', BARE, childEnv({ NODE_ENV: 'production' })) : null;
  const bare = options.withBaseline ? startChild('bare-socketio', BARE, childEnv({ NODE_ENV: 'production' })) : null;
  const quiet = [app, bare, stand].filter((child): child is BenchChild => child !== null);
  const run = async (side: SocketSide, into: SocketRun[]) => {
    // the other side's processes must be idle (the app writes every disconnect of the previous run)
    const measured = await socketRun(side, pairs, quiet);
    process.stdout.write(socketRunLine(measured));
    into.push(measured);
  };
  try {
    const [standUrl, bareUrl] = await startAll([stand, bare]);
    const appSide: SocketSide = stand
      ? {
          label: 'bare Socket.IO standing in for the app',
          candidateUrl: standUrl!,
          staffUrl: standUrl!,
          servers: [stand],
        }
      : { label: 'app, one instance', candidateUrl: appUrl, staffUrl: appUrl, servers: [app] };
    if (bare) {
      const bareSide: SocketSide = {
        label: 'bare Socket.IO, one instance',
        candidateUrl: bareUrl!,
        staffUrl: bareUrl!,
        servers: [bare],
      };
      runs.bare = [];
      for (let round = 0; round < socketRounds; round += 1) {
        const order = round % 2 === 0 ? [bareSide, appSide] : [appSide, bareSide];
        for (const side of order) await run(side, side === bareSide ? runs.bare : runs.app);
      }
    } else {
      for (let round = 0; round < socketRounds; round += 1) await run(appSide, runs.app);
    }
  } finally {
    await Promise.all([stand?.stop(), bare?.stop()]);
  }

  if (options.withCluster) {
    const opened = await openRedis(settings.redisUrl);
    if (typeof opened === 'string') {
      runs.clusterSkipped = opened;
      process.stdout.write(`    j skipped: ${opened}\n`);
      return runs;
    }
    try {
      Object.assign(runs, await measureCluster(db, uploads, pairs, [app]));
    } finally {
      const created = (await allKeys(opened.redis)).filter((key) => !opened.before.has(key));
      for (let i = 0; i < created.length; i += 500) await opened.redis.del(...created.slice(i, i + 500));
      opened.redis.disconnect();
    }
  }
  return runs;
}

/**
 * (j): two bare servers with the Redis adapter, then two app instances (per round, bare first then app, then the
 * reverse), each pair started for its run and stopped after it, so one side's leftover work (the app writes every
 * disconnect) never runs under the other's measurement; each pair on Redis under a channel prefix of this run only.
 */
async function measureCluster(
  db: BenchDatabase,
  uploads: UploadDirs,
  pairs: LoadPair[],
  quiet: BenchChild[],
): Promise<Pick<ProctoringRuns, 'appCluster' | 'bareCluster'>> {
  const prefix = `trajectorie-bench-${randomBytes(4).toString('hex')}`;
  const redis = { REDIS_URL: settings.redisUrl };
  const bareEnv = childEnv({ NODE_ENV: 'production', ...redis, BENCH_REDIS_KEY: prefix });
  const subject: [string, NodeJS.ProcessEnv] =
    settings.socketSubject === 'bare'
      ? [BARE, childEnv({ NODE_ENV: 'production', ...redis, BENCH_REDIS_KEY: `${prefix}-subject` })]
      : ['server.ts', appEnv(db, uploads, { ...redis, PROCTORING_REDIS_KEY: `${prefix}-app` })];
  const appCluster: SocketRun[] = [];
  const bareCluster: SocketRun[] = [];
  const sides = [
    { label: 'bare Socket.IO + Redis adapter, candidates on A, staff on B', start: [BARE, bareEnv], into: bareCluster },
    { label: 'app, candidates on A, staff on B', start: subject, into: appCluster },
  ] as const;
  for (let round = 0; round < settings.socketRounds; round += 1) {
    for (const side of round % 2 === 0 ? sides : [...sides].reverse()) {
      const [script, env] = side.start;
      const children = [startChild('instance-a', script, env), startChild('instance-b', script, env)];
      try {
        const [a, b] = (await startAll(children)) as string[];
        const measured = await socketRun(
          { label: side.label, candidateUrl: a, staffUrl: b, servers: children },
          pairs,
          quiet,
        );
        process.stdout.write(socketRunLine(measured));
        side.into.push(measured);
      } finally {
        await Promise.all(children.map((child) => child.stop()));
      }
    }
  }
  return { appCluster, bareCluster };
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
