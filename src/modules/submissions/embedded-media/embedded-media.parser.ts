import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { ExtractLimits, ExtractOutcome, extractEmbeddedMedia } from './extract-embedded-media';
import type { WorkerRequest } from './embedded-media.worker';

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
  const register = typescript
    ? "require('ts-node').register({ transpileOnly: true, compilerOptions: { module: 'commonjs' } });\n"
    : '';
  return `${register}require(${JSON.stringify(entry)});\n`;
}

/**
 * Parses submission bodies that may carry recordings as data URIs (see extractEmbeddedMedia) without blocking the
 * event loop: JSON.parse and base64 decoding of a body of tens of megabytes take hundreds of milliseconds, so
 * large bodies are streamed, chunk by chunk as they arrive, to one worker thread — started on first use, unref'd
 * (it never keeps the process alive), parsing one body at a time in the order they complete, terminated on
 * application shutdown. Memory moves between the threads by transfer: each chunk once copied out of the socket's
 * buffer, the decoded recordings not at all.
 */
@Injectable()
export class EmbeddedMediaParser implements OnApplicationShutdown {
  private readonly logger = new Logger(EmbeddedMediaParser.name);
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;

  /** One body, received chunk by chunk: parsed in-thread when small, else streamed to the worker as it arrives. */
  session(limits: ExtractLimits): ParseSession {
    return new ParseSession(this, limits);
  }

  /** A whole body at once (the same decision as a session). */
  parse(body: Buffer, limits: ExtractLimits): Promise<ExtractOutcome> {
    const session = this.session(limits);
    session.push(body);
    return session.finish();
  }

  /** @internal Opens a worker-side body; the returned promise settles with its outcome once `end` is posted. */
  begin(limits: ExtractLimits): {
    id: number;
    outcome: Promise<ExtractOutcome>;
    post: (message: WorkerRequest, transfer?: ArrayBuffer[]) => void;
  } {
    if (this.closed) throw new Error('The embedded media parser is shut down');
    const worker = this.ensureWorker();
    const id = this.nextId++;
    const outcome = new Promise<ExtractOutcome>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    outcome.catch(() => undefined); // observed by finish(); a cancelled session never awaits it
    const post = (message: WorkerRequest, transfer: ArrayBuffer[] = []) => {
      if (this.worker === worker) worker.postMessage(message, transfer);
    };
    post({ type: 'begin', id, limits });
    return { id, outcome, post };
  }

  /** @internal */
  forget(id: number): void {
    this.pending.delete(id);
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

/**
 * One body on its way to EmbeddedMediaParser. Chunks are kept here until the body passes IN_THREAD_MAX_BYTES; from
 * then on each is copied into memory of its own and transferred to the worker at once, so the event loop does a
 * small copy per chunk and never assembles the whole body.
 */
export class ParseSession {
  private held: Buffer[] = [];
  private heldBytes = 0;
  private remote: ReturnType<EmbeddedMediaParser['begin']> | null = null;

  constructor(
    private readonly parser: EmbeddedMediaParser,
    private readonly limits: ExtractLimits,
  ) {}

  push(chunk: Buffer): void {
    if (this.remote) return this.send(chunk);
    this.held.push(chunk);
    this.heldBytes += chunk.length;
    if (this.heldBytes > IN_THREAD_MAX_BYTES) {
      this.remote = this.parser.begin(this.limits);
      const held = this.held;
      this.held = [];
      for (const piece of held) this.send(piece);
    }
  }

  finish(): Promise<ExtractOutcome> {
    if (!this.remote) {
      const body = Buffer.concat(this.held, this.heldBytes);
      this.held = [];
      return Promise.resolve(extractEmbeddedMedia(body, this.limits));
    }
    this.remote.post({ type: 'end', id: this.remote.id });
    return this.remote.outcome;
  }

  cancel(): void {
    this.held = [];
    if (!this.remote) return;
    this.remote.post({ type: 'abort', id: this.remote.id });
    this.parser.forget(this.remote.id);
    this.remote = null;
  }

  private send(chunk: Buffer): void {
    const own = new Uint8Array(chunk); // a copy: the chunk may be a view into memory that is not ours to move
    this.remote!.post({ type: 'chunk', id: this.remote!.id, data: own.buffer }, [own.buffer]);
  }
}
