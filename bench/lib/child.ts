/**
 * The children's side of the protocol with bench/run.ts: one JSON object per stdout line. Kept apart from
 * processes.ts so a child loads nothing of the parent's machinery (the TypeScript compiler among it).
 */
export interface ChildMessage {
  event: 'ready' | 'result' | 'memory';
  [key: string]: unknown;
}

export function send(message: ChildMessage): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

/** process.memoryUsage() in MiB. */
export interface MemoryMib {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

const mib = (usage: NodeJS.MemoryUsage): MemoryMib => ({
  rss: usage.rss / 2 ** 20,
  heapTotal: usage.heapTotal / 2 ** 20,
  heapUsed: usage.heapUsed / 2 ** 20,
  external: usage.external / 2 ** 20,
  arrayBuffers: usage.arrayBuffers / 2 ** 20,
});

/**
 * Where a server's memory goes during a phase, by its own account: SIGUSR2 starts sampling process.memoryUsage()
 * every 10 ms, the next SIGUSR2 stops and sends `{event: "memory", start, peak}` (each field's own maximum). The
 * parent measures RSS from /proc; this says whether a rise is V8 heap (garbage not yet collected) or buffers.
 */
export function watchMemoryOnSignal(): void {
  let timer: NodeJS.Timeout | null = null;
  let start: MemoryMib | null = null;
  let peak: MemoryMib | null = null;
  process.on('SIGUSR2', () => {
    if (timer === null) {
      start = mib(process.memoryUsage());
      peak = { ...start };
      timer = setInterval(() => {
        const now = mib(process.memoryUsage());
        for (const key of Object.keys(now) as (keyof MemoryMib)[]) peak![key] = Math.max(peak![key], now[key]);
      }, 10);
      return;
    }
    clearInterval(timer);
    timer = null;
    send({ event: 'memory', start, peak });
  });
}
