import autocannon from 'autocannon';

export interface LoadSpec {
  url: string;
  connections: number;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** Keep every response time (cheap for light probes), so a percentile can be computed across slices. */
  recordLatencies?: boolean;
  /** Requests per second over all connections (a light, open-loop probe); unset: as fast as possible. */
  overallRate?: number;
}

/** One measured window of one target. */
export interface Slice {
  ok: number;
  seconds: number;
  p50: number;
  p99: number;
  latencies: number[];
  /** CPU (ms, every thread) used during the window by the server process and by PostgreSQL, when known. */
  cpu: CpuReading;
}

export interface CpuReading {
  server: number | null;
  postgres: number | null;
}

/** Reads the CPU counters (ms) of the server under test and of PostgreSQL; see processes.ts cpuMs. */
export type CpuProbe = () => CpuReading;

const NO_CPU: CpuReading = { server: null, postgres: null };

/** A negative difference means a process of the cluster exited and took its counter along: unknown. */
const minus = (after: number | null, before: number | null) =>
  before === null || after === null || after < before ? null : after - before;

function cpuBetween(before: CpuReading, after: CpuReading): CpuReading {
  return { server: minus(after.server, before.server), postgres: minus(after.postgres, before.postgres) };
}

function run(
  spec: LoadSpec,
  seconds: number,
  record: boolean,
  onResponse?: (statusCode: number, responseTimeMs: number) => void,
): Promise<{ result: autocannon.Result; latencies: number[] }> {
  const url = new URL(spec.url);
  if (url.hostname !== '127.0.0.1') throw new Error(`refusing to load anything but 127.0.0.1 (${spec.url})`);
  const latencies: number[] = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: spec.url,
        connections: spec.connections,
        duration: seconds,
        method: spec.method ?? 'GET',
        headers: spec.headers,
        body: spec.body,
        overallRate: spec.overallRate,
        timeout: 10,
      },
      (error, result) => (error ? reject(error) : resolve({ result, latencies })),
    );
    if (record) {
      instance.on('response', (_client, statusCode, _bytes, responseTime) => {
        if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
      });
    }
    if (onResponse)
      instance.on('response', (_client, statusCode, _bytes, responseTime) => onResponse(statusCode, responseTime));
  });
}

/** A warm-up (discarded), then one measured window. Any non-2xx or socket error invalidates the benchmark. */
export async function slice(spec: LoadSpec, seconds: number, warmupSeconds: number, cpu?: CpuProbe): Promise<Slice> {
  if (warmupSeconds > 0) await run(spec, warmupSeconds, false);
  const before = cpu?.() ?? NO_CPU;
  const measuredSlice = await measured(spec, seconds);
  return { ...measuredSlice, cpu: cpuBetween(before, cpu?.() ?? NO_CPU) };
}

function check(spec: LoadSpec, result: autocannon.Result): void {
  if (result.non2xx > 0 || result.errors > 0) {
    const codes = Object.keys(result.statusCodeStats).join(', ');
    throw new Error(
      `${spec.method ?? 'GET'} ${spec.url}: ${result.non2xx} non-2xx (${codes}) and ${result.errors} errors`,
    );
  }
}

async function measured(spec: LoadSpec, seconds: number): Promise<Slice> {
  const { result, latencies } = await run(spec, seconds, spec.recordLatencies ?? false);
  check(spec, result);
  return {
    ok: result['2xx'],
    seconds: result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    latencies,
    cpu: NO_CPU,
  };
}

/**
 * For slow requests (a login takes a large fraction of a second under saturation) a fresh autocannon run per
 * window would start with the server still busy on the warm-up's abandoned requests and lose the window's last
 * in-flight ones. So the load runs without a break through warm-up and window, and only responses completing
 * inside the window count — exactly how the bcrypt baseline counts its compares. A light probe runs over the
 * same window.
 */
export async function sliceWithProbe(
  main: LoadSpec,
  probe: LoadSpec,
  seconds: number,
  warmupSeconds: number,
  cpu?: CpuProbe,
): Promise<{ main: Slice; probe: Slice }> {
  const start = performance.now();
  const from = start + warmupSeconds * 1000;
  const to = from + seconds * 1000;
  const inWindow: number[] = [];
  const mainRun = run(main, warmupSeconds + seconds, false, (statusCode, responseTime) => {
    const now = performance.now();
    if (statusCode >= 200 && statusCode < 300 && now >= from && now < to) inWindow.push(responseTime);
  });
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, from - performance.now())));
  const before = cpu?.() ?? NO_CPU;
  let after = NO_CPU;
  const cpuTimer = setTimeout(() => (after = cpu?.() ?? NO_CPU), Math.max(0, to - performance.now()));
  const [mainDone, probeSlice] = await Promise.all([mainRun, measured(probe, seconds)]);
  clearTimeout(cpuTimer);
  check(main, mainDone.result);
  return {
    main: {
      ok: inWindow.length,
      seconds,
      p50: percentile(inWindow, 50),
      p99: percentile(inWindow, 99),
      latencies: inWindow,
      cpu: cpuBetween(before, after),
    },
    probe: probeSlice,
  };
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Totals over every slice of one target. */
export interface Aggregate {
  slices: number;
  ok: number;
  seconds: number;
  /** Successful responses (or compares) per second over all its slices. */
  rps: number;
  /** From recorded latencies when kept, else the worst slice's autocannon p99. */
  p99Ms: number | null;
  p50Ms: number | null;
  perSliceRps: number[];
  /** CPU (ms, every thread) per successful response, of the server and of PostgreSQL, when measured. */
  cpuMsPerRequest: CpuReading;
}

function perRequest(slices: Slice[], ok: number, key: keyof CpuReading): number | null {
  if (ok === 0 || slices.some((s) => s.cpu[key] === null)) return null;
  return slices.reduce((sum, s) => sum + s.cpu[key]!, 0) / ok;
}

export function aggregate(slices: Slice[]): Aggregate {
  const ok = slices.reduce((sum, s) => sum + s.ok, 0);
  const seconds = slices.reduce((sum, s) => sum + s.seconds, 0);
  const latencies = slices.flatMap((s) => s.latencies);
  const fromHistogram = slices.length > 0 && !Number.isNaN(slices[0].p99);
  return {
    slices: slices.length,
    ok,
    seconds,
    rps: ok / seconds,
    p99Ms: latencies.length ? percentile(latencies, 99) : fromHistogram ? Math.max(...slices.map((s) => s.p99)) : null,
    p50Ms: latencies.length ? percentile(latencies, 50) : fromHistogram ? Math.max(...slices.map((s) => s.p50)) : null,
    perSliceRps: slices.map((s) => Math.round((s.ok / s.seconds) * 10) / 10),
    cpuMsPerRequest: { server: perRequest(slices, ok, 'server'), postgres: perRequest(slices, ok, 'postgres') },
  };
}
