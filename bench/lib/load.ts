import autocannon from 'autocannon';

export interface LoadSpec {
  url: string;
  connections: number;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
}

export interface LoadResult {
  url: string;
  connections: number;
  seconds: number;
  /** Successful (2xx) responses per second over the measured window. */
  rps: number;
  ok: number;
  non2xx: number;
  errors: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
}

export interface Timing {
  warmupSeconds: number;
  durationSeconds: number;
}

function summarise(result: autocannon.Result): LoadResult {
  return {
    url: result.url,
    connections: result.connections,
    seconds: result.duration,
    rps: result['2xx'] / result.duration,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
      mean: result.latency.mean,
    },
  };
}

function run(spec: LoadSpec, seconds: number): Promise<autocannon.Result> {
  const url = new URL(spec.url);
  if (url.hostname !== '127.0.0.1') throw new Error(`refusing to load anything but 127.0.0.1 (${spec.url})`);
  return autocannon({
    url: spec.url,
    connections: spec.connections,
    duration: seconds,
    method: spec.method ?? 'GET',
    headers: spec.headers,
    body: spec.body,
    timeout: 10,
  });
}

/** Warm-up (discarded), then the measured run. Any non-2xx or socket error makes the measurement invalid. */
export async function load(spec: LoadSpec, timing: Timing): Promise<LoadResult> {
  if (timing.warmupSeconds > 0) await run(spec, timing.warmupSeconds);
  const result = summarise(await run(spec, timing.durationSeconds));
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${spec.method ?? 'GET'} ${spec.url}: ${result.non2xx} non-2xx and ${result.errors} errors`);
  }
  return result;
}

/** Runs the main load and, in parallel, a light probe started once the main load is past its warm-up. */
export async function loadWithProbe(
  main: LoadSpec,
  probe: LoadSpec,
  timing: Timing,
): Promise<{ main: LoadResult; probe: LoadResult }> {
  if (timing.warmupSeconds > 0) await run(main, timing.warmupSeconds);
  const [mainResult, probeResult] = await Promise.all([run(main, timing.durationSeconds), run(probe, timing.durationSeconds)]);
  const out = { main: summarise(mainResult), probe: summarise(probeResult) };
  for (const [spec, result] of [
    [main, out.main],
    [probe, out.probe],
  ] as const) {
    if (result.non2xx > 0 || result.errors > 0) {
      throw new Error(`${spec.method ?? 'GET'} ${spec.url}: ${result.non2xx} non-2xx and ${result.errors} errors`);
    }
  }
  return out;
}
