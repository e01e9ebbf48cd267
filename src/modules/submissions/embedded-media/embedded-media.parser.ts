import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { ExtractOutcome, extractEmbeddedMedia } from './extract-embedded-media';

/** Below this a body is parsed on the calling thread: a worker round trip would cost more than it saves. */
export const IN_THREAD_MAX_BYTES = 256 * 1024;

interface Pending {
  resolve: (outcome: ExtractOutcome) => void;
  reject: (error: Error) => void;
}

/** The worker's entry: compiled JavaScript next to this file, or (tests, ts-node) the TypeScript source. */
function workerSource(): string {
  const typescript = extname(__filename) === '.ts';
  const entry = join(__dirname, `embedded-media.worker${typescript ? '.ts' : '.js'}`);
  const register = typescript ? "require('ts-node').register({ transpileOnly: true, compilerOptions: { module: 'commonjs' } });\n" : '';
  return `${register}require(${JSON.stringify(entry)});\n`;
}

/**
 * Parses submission bodies that may carry recordings as data URIs (see extractEmbeddedMedia) without blocking the
 * event loop: JSON.parse and base64 decoding of a body of tens of megabytes take hundreds of milliseconds, so
 * large bodies go to one worker thread, started on first use, unref'd (it never keeps the process alive), fed one
 * body at a time in arrival order, and terminated on application shutdown. Buffers move between the threads by
 * transfer, never by copy.
 */
@Injectable()
export class EmbeddedMediaParser implements OnApplicationShutdown {
  private readonly logger = new Logger(EmbeddedMediaParser.name);
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;

  /** `body` is consumed: its memory is handed to the worker when it is a buffer of its own. */
  parse(body: Buffer): Promise<ExtractOutcome> {
    if (body.length <= IN_THREAD_MAX_BYTES) return Promise.resolve(extractEmbeddedMedia(body));
    if (this.closed) return Promise.reject(new Error('The embedded media parser is shut down'));
    const worker = this.ensureWorker();
    const id = this.nextId++;
    // Only a buffer that owns its whole ArrayBuffer may be transferred (never a slice of a shared pool).
    const owned = body.byteOffset === 0 && body.buffer.byteLength === body.length;
    const payload = owned ? body.buffer : body.buffer.slice(body.byteOffset, body.byteOffset + body.length);
    return new Promise<ExtractOutcome>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, body: payload }, [payload as ArrayBuffer]);
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = null;
    this.failAll(new Error('The embedded media parser is shut down'));
    if (worker) await worker.terminate();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(workerSource(), { eval: true });
    worker.unref();
    worker.on('message', (message: { id: number; outcome?: ExtractOutcome; failure?: string }) => {
      const pending = this.pending.get(message.id);
      if (!pending) return;
      this.pending.delete(message.id);
      if (message.outcome) pending.resolve(message.outcome);
      else pending.reject(new Error(`Embedded media parsing failed: ${message.failure ?? 'unknown error'}`));
    });
    const lost = (error: Error) => {
      if (this.worker !== worker) return;
      this.worker = null; // the next body starts a new one
      this.logger.error({ err: error }, 'The embedded media worker stopped');
      this.failAll(error);
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`The embedded media worker exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }

  private failAll(error: Error): void {
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const { reject } of pending) reject(error);
  }
}
