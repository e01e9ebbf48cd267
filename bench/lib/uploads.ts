import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { MEDIA_HEADS } from '../../test/setup/media-fixtures';
import type { MemoryMib } from './child';
import { CpuProbe, Slice } from './load';
import type { BenchChild } from './processes';

export const MIB = 2 ** 20;

/** One multipart/form-data request body, built once and sent for every upload (to the app and the baseline). */
export interface UploadBody {
  body: Buffer;
  contentType: string;
  fileBytes: number;
}

/**
 * `question_index` and `file_type` first (so the app checks the type while the file streams), then `file`: a WebM
 * head (EBML magic 1A 45 DF A3 and a `webm` DocType, test/setup/media-fixtures.ts) followed by random filler, like
 * a recording's compressed payload, `fileBytes` long in all.
 */
export function multipartUpload(fileBytes: number): UploadBody {
  const boundary = `----trajectorie-bench-${randomBytes(12).toString('hex')}`;
  const file = randomBytes(fileBytes);
  MEDIA_HEADS.webm.copy(file, 0);
  if (file.includes(`--${boundary}`)) throw new Error('the random filler contains the multipart boundary');
  const field = (name: string, value: string) =>
    `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  const body = Buffer.concat([
    Buffer.from(
      field('question_index', '0') +
        field('file_type', 'video') +
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="Q1_video.webm"\r\n` +
        'Content-Type: video/webm;codecs=vp9,opus\r\n\r\n',
    ),
    file,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { body, contentType: `multipart/form-data; boundary=${boundary}`, fileBytes };
}

export interface UploadTarget {
  /** The URL of the n-th upload (the app spreads them over the seeded submissions). */
  url(n: number): string;
  headers: Record<string, string>;
  /** Checks a 2xx response body (e.g. the size the server says it stored). */
  check(status: number, body: string): void;
}

function post(agent: Agent, url: string, upload: UploadBody, headers: Record<string, string>) {
  const target = new URL(url);
  if (target.hostname !== '127.0.0.1') throw new Error(`refusing to load anything but 127.0.0.1 (${url})`);
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(
      target,
      {
        method: 'POST',
        agent,
        headers: { ...headers, 'content-type': upload.contentType, 'content-length': String(upload.body.length) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.setTimeout(60_000, () => req.destroy(new Error(`upload to ${url} timed out`)));
    req.on('error', reject);
    req.end(upload.body);
  });
}

/** One upload, checked: anything but a 2xx the target accepts invalidates the benchmark. */
export async function uploadOnce(agent: Agent, target: UploadTarget, upload: UploadBody, n: number): Promise<string> {
  const { status, body } = await post(agent, target.url(n), upload, target.headers);
  if (status < 200 || status >= 300) throw new Error(`upload to ${target.url(n)}: ${status} ${body.slice(0, 500)}`);
  target.check(status, body);
  return body;
}

/** `count` uploads with `concurrency` in flight (closed loop: each finished upload starts the next). */
async function uploadMany(
  agent: Agent,
  target: UploadTarget,
  upload: UploadBody,
  count: number,
  concurrency: number,
  first: number,
) {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const n = first + next;
      next += 1;
      await uploadOnce(agent, target, upload, n);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

let uploadCounter = 0;

const minus = (after: number | null, before: number | null) =>
  before === null || after === null || after < before ? null : after - before;

/**
 * One slice: an optional warm-up (discarded; `afterWarmup` runs after it), then `count` uploads with `concurrency` in flight, timed from
 * the first request to the last response. `ok` counts uploads, so the aggregate's rps is uploads/s (× MiB = MiB/s)
 * and its CPU per request is CPU per upload.
 */
export async function uploadSlice(
  agent: Agent,
  target: UploadTarget,
  upload: UploadBody,
  options: { count: number; concurrency: number; warmup: number; afterWarmup?: () => void },
  cpu: CpuProbe,
): Promise<Slice> {
  if (options.warmup > 0) {
    await uploadMany(agent, target, upload, options.warmup, options.concurrency, uploadCounter);
    uploadCounter += options.warmup;
    options.afterWarmup?.();
  }
  const before = cpu();
  const start = performance.now();
  await uploadMany(agent, target, upload, options.count, options.concurrency, uploadCounter);
  const seconds = (performance.now() - start) / 1000;
  const after = cpu();
  uploadCounter += options.count;
  return {
    ok: options.count,
    seconds,
    p50: Number.NaN,
    p99: Number.NaN,
    latencies: [],
    cpu: { server: minus(after.server, before.server), postgres: minus(after.postgres, before.postgres) },
  };
}

/** Every regular file under `dir` (recursively): the stored uploads. */
export function storedFiles(dir: string): { path: string; size: number }[] {
  const out: { path: string; size: number }[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...storedFiles(path));
    else if (entry.isFile()) out.push({ path, size: statSync(path).size });
  }
  return out;
}

/** Empties an upload folder (between slices, so a run never holds more than one slice of uploads on disk). */
export function emptyDir(dir: string): void {
  for (const entry of readdirSync(dir)) rmSync(join(dir, entry), { recursive: true, force: true });
}

/** kB fields of /proc/<pid>/status, in MiB; null where /proc is missing. */
export function statusMib(pid: number, field: 'VmRSS' | 'VmHWM'): number | null {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

export interface MemoryReport {
  /** RSS (MiB) from /proc: before the first upload, the peak, and the difference. */
  startMib: number | null;
  peakMib: number | null;
  riseMib: number | null;
  method: 'VmHWM' | 'samples';
  /** The child's own process.memoryUsage() at the start and each field's peak (MiB), when it reported them. */
  own: { start: MemoryMib; peak: MemoryMib } | null;
}

/**
 * The resident memory of a server process across a phase: RSS at the start, and the peak during it — from the
 * kernel's high-water mark (VmHWM, reset to the current RSS at the start by writing 5 to /proc/<pid>/clear_refs),
 * which misses no spike, and from samples every 10 ms where that reset is not permitted. The child's own account
 * (heap vs buffers) comes from its SIGUSR2 watch (child.ts watchMemoryOnSignal).
 */
export class RssWatch {
  readonly startMib: number | null;
  private sampledPeak: number;
  private readonly hwmReset: boolean;
  private readonly timer: NodeJS.Timeout;
  private readonly pid: number;
  private stopped: Promise<MemoryReport> | null = null;

  constructor(private readonly child: BenchChild) {
    const pid = child.process.pid!;
    this.pid = pid;
    child.process.kill('SIGUSR2');
    let reset = false;
    try {
      writeFileSync(`/proc/${pid}/clear_refs`, '5');
      reset = true;
    } catch {
      // not permitted here: samples only
    }
    this.hwmReset = reset;
    this.startMib = statusMib(pid, 'VmRSS');
    this.sampledPeak = this.startMib ?? 0;
    this.timer = setInterval(() => {
      this.sampledPeak = Math.max(this.sampledPeak, statusMib(this.pid, 'VmRSS') ?? 0);
    }, 10);
  }

  /** Stops sampling (once; later calls return the same report). Nulls where /proc is missing. */
  stop(): Promise<MemoryReport> {
    this.stopped ??= this.finish();
    return this.stopped;
  }

  private async finish(): Promise<MemoryReport> {
    clearInterval(this.timer);
    const end = statusMib(this.pid, 'VmRSS') ?? 0;
    const hwm = this.hwmReset ? statusMib(this.pid, 'VmHWM') : null;
    const peak = Math.max(this.sampledPeak, end, hwm ?? 0);
    this.child.process.kill('SIGUSR2');
    const own = await this.child.next('memory', 5000).then(
      (message) => ({ start: message.start as MemoryMib, peak: message.peak as MemoryMib }),
      () => null,
    );
    const method = hwm !== null ? 'VmHWM' : 'samples';
    if (this.startMib === null) return { startMib: null, peakMib: null, riseMib: null, method, own };
    return { startMib: this.startMib, peakMib: peak, riseMib: peak - this.startMib, method, own };
  }
}
