import { ChildProcess, fork } from 'node:child_process';
import { builtPath } from './build';
import { percentile } from './load';
import { BenchChild, childEnv, cpuMs } from './processes';
import type { ChildReport, ConnectReport, LoadPair, LoadPlan, RunReport } from './socket-protocol';
import { settings } from './settings';
import { statusMib } from './uploads';

/**
 * One measured run of (i) or (j): a fresh Socket.IO load client (bench/socket-load.ts, forked: its own process and
 * event loop) connects the pairs, the servers' RSS is read before and once everything is connected, the signals
 * run, and the servers' CPU is read across the signalling. Candidates go to `candidateUrl`, staff to `staffUrl`.
 */
export interface SocketSide {
  label: string;
  candidateUrl: string;
  staffUrl: string;
  /** The server processes of this side (one, or the two instances of j): CPU and RSS are summed over them. */
  servers: BenchChild[];
}

export interface SocketRun {
  label: string;
  sockets: number;
  connectMs: number;
  watchMs: number;
  connectFailures: number;
  connectFailureSamples: string[];
  latencies: number[];
  p50: number;
  p90: number;
  p99: number;
  max: number;
  sent: number;
  acked: number;
  ackFailures: number;
  ackFailureSamples: string[];
  lost: number;
  unexpected: number;
  disconnects: number;
  seconds: number;
  clientCpuPercent: number;
  clientLoopDelayP99Ms: number;
  /** Server CPU (ms, every thread, all of the side's processes) per signal sent, across the signalling. */
  serverCpuMsPerSignal: number | null;
  /** Summed RSS (MiB) of the side's servers before connecting, once all are connected, and the peak while signalling. */
  rss: { beforeMib: number; connectedMib: number; peakMib: number; perThousandSocketsMib: number } | null;
}

/** The load client's side of the IPC channel: the next report of a kind, or a rejection when it fails or exits. */
function client(): { child: ChildProcess; next: <T extends ChildReport>(type: T['type'], ms: number) => Promise<T> } {
  const child = fork(builtPath('socket-load.ts'), [], {
    env: childEnv({ NODE_ENV: 'production' }),
    execArgv: [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const queue: ChildReport[] = [];
  let waiter: ((report: ChildReport) => void) | null = null;
  let exited = false;
  child.on('message', (report: ChildReport) => {
    if (waiter) waiter(report);
    else queue.push(report);
  });
  child.once('exit', () => {
    exited = true;
    waiter?.({ type: 'error', message: 'the load client exited' });
  });
  const next = <T extends ChildReport>(type: T['type'], ms: number) =>
    new Promise<T>((resolve, reject) => {
      const settle = (report: ChildReport) => {
        waiter = null;
        clearTimeout(timer);
        if (report.type === type) resolve(report as T);
        else reject(new Error(`load client: ${report.type === 'error' ? report.message : `got ${report.type}`}`));
      };
      const timer = setTimeout(() => settle({ type: 'error', message: `no "${type}" after ${ms} ms` }), ms);
      const queued = queue.shift();
      if (queued) settle(queued);
      else if (exited) settle({ type: 'error', message: 'the load client exited' });
      else waiter = settle;
    });
  return { child, next };
}

const sumRss = (servers: BenchChild[]) =>
  servers.reduce<number | null>((sum, s) => {
    const rss = statusMib(s.process.pid!, 'VmRSS');
    return sum === null || rss === null ? null : sum + rss;
  }, 0);

const sumCpu = (servers: BenchChild[]) =>
  servers.reduce<number | null>((sum, s) => {
    const cpu = cpuMs(s.process.pid);
    return sum === null || cpu === null ? null : sum + cpu;
  }, 0);

/**
 * Waits (up to 20 s) until `children` together use under 10 % of a core over half a second: a run never starts
 * while a server still works off the previous one (the app records every disconnect in the database).
 */
async function waitQuiet(children: BenchChild[]): Promise<void> {
  const until = performance.now() + 20_000;
  while (performance.now() < until) {
    const before = sumCpu(children);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const after = sumCpu(children);
    if (before === null || after === null || after - before < 50) return;
  }
}

export async function socketRun(side: SocketSide, pairs: LoadPair[], quiet: BenchChild[] = []): Promise<SocketRun> {
  for (const url of [side.candidateUrl, side.staffUrl]) {
    if (new URL(url).hostname !== '127.0.0.1') throw new Error(`refusing to load anything but 127.0.0.1 (${url})`);
  }
  const plan: LoadPlan = {
    candidateUrl: side.candidateUrl,
    staffUrl: side.staffUrl,
    pairs,
    connectConcurrency: settings.socketConnectConcurrency,
    intervalMs: settings.socketIntervalMs,
    warmupSeconds: settings.socketWarmupSeconds,
    seconds: settings.socketSeconds,
  };
  await waitQuiet([...new Set([...side.servers, ...quiet])]);
  const { child, next } = client();
  try {
    const rssBefore = sumRss(side.servers);
    child.send({ type: 'plan', plan });
    const connected = await next<ConnectReport>('connected', 180_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const rssConnected = sumRss(side.servers);
    let rssPeak = rssConnected ?? 0;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, sumRss(side.servers) ?? 0)), 100);
    const cpuBefore = sumCpu(side.servers);
    child.send({ type: 'go' });
    const timeout = (settings.socketWarmupSeconds + settings.socketSeconds) * 1000 + 60_000;
    let result: RunReport;
    try {
      result = await next<RunReport>('result', timeout);
    } finally {
      clearInterval(sampler);
    }
    const cpuAfter = sumCpu(side.servers);
    child.send({ type: 'close' });
    await next('closed', 30_000).catch(() => undefined);
    const { latencies } = result;
    const sorted = [...latencies].sort((a, b) => a - b);
    return {
      label: side.label,
      sockets: connected.sockets,
      connectMs: connected.connectMs,
      watchMs: connected.watchMs,
      connectFailures: connected.failures,
      connectFailureSamples: connected.failureSamples,
      latencies,
      p50: percentile(sorted, 50),
      p90: percentile(sorted, 90),
      p99: percentile(sorted, 99),
      max: sorted[sorted.length - 1] ?? Number.NaN,
      sent: result.sent,
      acked: result.acked,
      ackFailures: result.ackFailures,
      ackFailureSamples: result.ackFailureSamples,
      lost: result.lost,
      unexpected: result.unexpected,
      disconnects: result.disconnects,
      seconds: result.seconds,
      clientCpuPercent: result.clientCpuPercent,
      clientLoopDelayP99Ms: result.clientLoopDelayP99Ms,
      serverCpuMsPerSignal:
        cpuBefore === null || cpuAfter === null || result.sent === 0 ? null : (cpuAfter - cpuBefore) / result.sent,
      rss:
        rssBefore === null || rssConnected === null || connected.sockets === 0
          ? null
          : {
              beforeMib: rssBefore,
              connectedMib: rssConnected,
              peakMib: Math.max(rssPeak, rssConnected),
              perThousandSocketsMib: ((rssConnected - rssBefore) * 1000) / connected.sockets,
            },
    };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

const f1 = (value: number) => value.toFixed(1);

/** One line per run: connection, delivery, latency, the servers' CPU and memory, and the load client's own load. */
export function socketRunLine(run: SocketRun): string {
  const rss = run.rss
    ? `; RSS ${f1(run.rss.beforeMib)} -> ${f1(run.rss.connectedMib)} MiB connected (+${f1(run.rss.perThousandSocketsMib)} ` +
      `per 1,000 sockets), peak ${f1(run.rss.peakMib)}`
    : '';
  const cpu = run.serverCpuMsPerSignal === null ? '' : `; server CPU ${run.serverCpuMsPerSignal.toFixed(3)} ms/signal`;
  const samples = [...run.connectFailureSamples, ...run.ackFailureSamples].map((s) => `      ! ${s}\n`).join('');
  // A client that cannot keep its own schedule measures itself, not the server.
  const busy =
    run.clientCpuPercent > 80 || run.clientLoopDelayP99Ms > 50
      ? '      ! the load client was busy (CPU or event-loop delay): the latencies include its own queueing\n'
      : '';
  return (
    `    ${run.label}: ${run.sockets} sockets connected in ${f1(run.connectMs / 1000)} s (+ watch ` +
    `${f1(run.watchMs / 1000)} s, ${run.connectFailures} refused/failed); ${run.sent} signals in ` +
    `${f1(run.seconds)} s, ${run.acked} acked, ${run.ackFailures} not acked, ${run.lost} lost, ` +
    `${run.unexpected} unexpected, ${run.disconnects} disconnects\n` +
    `      relay p50 ${run.p50.toFixed(2)} / p90 ${run.p90.toFixed(2)} / p99 ${run.p99.toFixed(2)} / max ${f1(run.max)} ms over ` +
    `${run.latencies.length} signals${cpu}${rss}; load client CPU ${run.clientCpuPercent.toFixed(0)} %, ` +
    `loop delay p99 ${f1(run.clientLoopDelayP99Ms)} ms\n${busy}${samples}`
  );
}
