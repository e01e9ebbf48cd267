import * as bcrypt from 'bcrypt';
import { send } from '../lib/child';

/**
 * Baseline for `POST /auth/login`: nothing but `bcrypt.compare` against a hash of the same cost, with the same
 * number of compares in flight as the login storm has connections, on the same libuv thread-pool size
 * (UV_THREADPOOL_SIZE, set by the parent for both). Reports compares per second after a warm-up.
 */
async function main(): Promise<void> {
  const hash = process.env.BENCH_HASH;
  const password = process.env.BENCH_PASSWORD;
  if (!hash || !password) throw new Error('bcrypt-loop needs BENCH_HASH and BENCH_PASSWORD');
  const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16);
  const warmupMs = Number(process.env.BENCH_WARMUP_SECONDS ?? 1.5) * 1000;
  const durationMs = Number(process.env.BENCH_DURATION_SECONDS ?? 6) * 1000;

  const start = Date.now();
  const measureFrom = start + warmupMs;
  const end = measureFrom + durationMs;
  let completed = 0;
  let mismatches = 0;
  // CPU of the whole process (thread pool included) over exactly the window, like the app's.
  let cpuFrom = 0;
  let cpuTo = 0;
  const cpuNow = () => {
    const usage = process.cpuUsage();
    return (usage.user + usage.system) / 1000;
  };
  const timers = [
    setTimeout(() => (cpuFrom = cpuNow()), warmupMs),
    setTimeout(() => (cpuTo = cpuNow()), warmupMs + durationMs),
  ];
  // A compare counts when it completes inside the window — as autocannon counts responses.
  const worker = async () => {
    while (Date.now() < end) {
      const ok = await bcrypt.compare(password, hash);
      const now = Date.now();
      if (!ok) mismatches += 1;
      if (now >= measureFrom && now < end) completed += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  timers.forEach(clearTimeout);
  if (mismatches > 0) throw new Error(`${mismatches} compares did not match`);
  send({
    event: 'result',
    completed,
    seconds: durationMs / 1000,
    perSecond: completed / (durationMs / 1000),
    cpuMs: cpuTo > cpuFrom ? cpuTo - cpuFrom : null,
    concurrency,
    threadpool: Number(process.env.UV_THREADPOOL_SIZE ?? 4),
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`bcrypt-loop baseline failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
