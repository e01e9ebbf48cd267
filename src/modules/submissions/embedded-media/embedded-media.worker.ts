import { parentPort } from 'node:worker_threads';
import { ExtractLimits, extractEmbeddedMedia } from './extract-embedded-media';

/** What EmbeddedMediaParser sends: a body arrives as `begin`, any number of `chunk`s, then `end` (or `abort`). */
export type WorkerRequest =
  | { type: 'begin'; id: number; limits: ExtractLimits }
  | { type: 'chunk'; id: number; data: ArrayBuffer }
  | { type: 'end'; id: number }
  | { type: 'abort'; id: number };

/**
 * Worker thread entry (started by EmbeddedMediaParser). Chunks come in with their memory transferred; on `end` the
 * body is assembled and parsed here, and the answer `{ id, outcome }` goes back with the decoded recordings'
 * ArrayBuffers transferred, so no large buffer is copied between the threads or handled on the event loop.
 */
const bodies = new Map<number, { limits: ExtractLimits; chunks: Uint8Array[] }>();

parentPort?.on('message', (message: WorkerRequest) => {
  if (message.type === 'begin') {
    bodies.set(message.id, { limits: message.limits, chunks: [] });
  } else if (message.type === 'chunk') {
    bodies.get(message.id)?.chunks.push(new Uint8Array(message.data));
  } else if (message.type === 'abort') {
    bodies.delete(message.id);
  } else {
    const body = bodies.get(message.id);
    bodies.delete(message.id);
    if (!body) return;
    try {
      const outcome = extractEmbeddedMedia(Buffer.concat(body.chunks), body.limits);
      body.chunks.length = 0;
      const transfer = outcome.ok ? outcome.embedded.map((media) => media.bytes.buffer as ArrayBuffer) : [];
      parentPort!.postMessage({ id: message.id, outcome }, transfer);
    } catch (error) {
      parentPort!.postMessage({ id: message.id, failure: error instanceof Error ? error.message : String(error) });
    }
  }
});
