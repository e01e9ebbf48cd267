import { parentPort } from 'node:worker_threads';
import { extractEmbeddedMedia } from './extract-embedded-media';

/**
 * Worker thread entry (started by EmbeddedMediaParser): receives `{ id, body }` with the raw body's ArrayBuffer
 * transferred in, answers `{ id, outcome }` with the decoded recordings' ArrayBuffers transferred back, so no large
 * buffer is ever copied between the threads.
 */
parentPort?.on('message', (message: { id: number; body: ArrayBuffer }) => {
  try {
    const outcome = extractEmbeddedMedia(new Uint8Array(message.body));
    const transfer = outcome.ok ? outcome.embedded.map((media) => media.bytes.buffer as ArrayBuffer) : [];
    parentPort!.postMessage({ id: message.id, outcome }, transfer);
  } catch (error) {
    parentPort!.postMessage({ id: message.id, failure: error instanceof Error ? error.message : String(error) });
  }
});
