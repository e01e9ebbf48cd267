import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { builtPath } from './build';
import type { ChildMessage } from './child';

/**
 * Every server and baseline runs in a child process of its own, so the load generator (this process) never
 * shares an event loop with what it measures. Children speak one JSON object per stdout line (child.ts); the
 * first line with `event: "ready"` (servers) or `event: "result"` (one-shot baselines) is what the parent awaits.
 */
export interface BenchChild {
  name: string;
  process: ChildProcess;
  /** Resolves with the first message of the given kind, rejects if the child exits first. */
  next(event: ChildMessage['event'], timeoutMs?: number): Promise<ChildMessage>;
  stop(): Promise<void>;
}

const BENCH_DIR = join(__dirname, '..');

/** The environment children inherit: nothing of the caller's app configuration (REDIS_URL, STORAGE_*…). */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ'];
  const base = Object.fromEntries(keep.filter((key) => process.env[key]).map((key) => [key, process.env[key]]));
  return { ...base, ...extra };
}

/** Starts the compiled `bench/<script>` (see build.ts) with plain node — the same way for subjects and baselines. */
export function startChild(
  name: string,
  script: string,
  env: NodeJS.ProcessEnv,
  options: { nodeArgs?: string[]; args?: string[] } = {},
): BenchChild {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), builtPath(script), ...(options.args ?? [])], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: join(BENCH_DIR, '..'),
  });
  const messages: ChildMessage[] = [];
  const waiters: { event: string; resolve: (m: ChildMessage) => void }[] = [];
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    let message: ChildMessage;
    try {
      message = JSON.parse(line) as ChildMessage;
    } catch {
      return; // a stray log line
    }
    const index = waiters.findIndex((waiter) => waiter.event === message.event);
    if (index >= 0) waiters.splice(index, 1)[0].resolve(message);
    else messages.push(message);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const next = (event: ChildMessage['event'], timeoutMs = 120_000) => {
    const queued = messages.findIndex((message) => message.event === event);
    if (queued >= 0) return Promise.resolve(messages.splice(queued, 1)[0]);
    return new Promise<ChildMessage>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${name}: no "${event}" after ${timeoutMs} ms\n${stderr}`)),
        timeoutMs,
      );
      waiters.push({
        event,
        resolve: (message) => {
          clearTimeout(timer);
          resolve(message);
        },
      });
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited with code ${code} before "${event}"\n${stderr}`));
      });
    });
  };

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.kill('SIGTERM');
    await exited;
    clearTimeout(force);
  };

  return { name, process: child, next, stop };
}

/** CPU time (user + system, every thread) a process has used so far, in ms; null where /proc is missing. */
export function cpuMs(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    // Fields after the parenthesised command name: state is #3, utime #14, stime #15 (in clock ticks).
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

/** USER_HZ: 100 on every Linux architecture Node supports. */
const CLOCK_TICKS = 100;
