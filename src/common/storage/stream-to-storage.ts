import { Readable } from 'node:stream';
import { StorageDriver } from './storage-driver';
import { StorageErrors } from './storage.errors';
import { MEDIA_SNIFF_BYTES } from './media-type';

export interface StreamToStorageOptions<T> {
  maxBytes: number;
  /** Inspects the first bytes before anything is written; throw (e.g. a 415) to refuse the upload. */
  sniff: (head: Buffer) => T;
  /** Where and as what to store it, which may depend on what was sniffed (e.g. the key's extension). */
  target: (sniffed: T) => { key: string; contentType: string };
  /** How many leading bytes to wait for before sniffing (fewer only if the stream is shorter). */
  headBytes?: number;
}

export interface StoredStream<T> {
  key: string;
  contentType: string;
  size: number;
  sniffed: T;
}

interface Head {
  head: Buffer;
  ended: boolean;
}

/** Reads at least `want` bytes (or to the end) in paused mode; the rest stays buffered in `source`. */
function readHead(source: Readable, want: number): Promise<Head> {
  // Its events may be over already (e.g. the multipart helper destroyed it before the consumer started).
  if (source.destroyed) return Promise.reject(source.errored ?? new Error('The upload stream closed before it ended'));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const finish = (ended: boolean): void => {
      source.off('readable', onReadable);
      source.off('end', onEnd);
      source.off('error', onError);
      source.off('close', onClose);
      resolve({ head: Buffer.concat(chunks, length), ended });
    };
    const onReadable = (): void => {
      let chunk: Buffer | null;
      while (length < want && (chunk = source.read() as Buffer | null) !== null) {
        chunks.push(chunk);
        length += chunk.length;
      }
      if (length >= want) finish(false);
    };
    const onEnd = (): void => finish(true);
    const onError = (error: Error): void => {
      source.off('readable', onReadable);
      source.off('end', onEnd);
      source.off('close', onClose);
      reject(error);
    };
    const onClose = (): void => {
      if (!source.readableEnded) onError(new Error('The upload stream closed before it ended'));
    };
    source.on('readable', onReadable);
    source.once('end', onEnd);
    source.once('error', onError);
    source.once('close', onClose);
  });
}

/**
 * The head followed by the rest of the source. (Not `unshift`: when the head held the last bytes, the source may
 * emit 'end' before the sniff result is known, and unshift after 'end' throws.) Destroying the result destroys the
 * source through the iterator's return().
 */
async function* prepend(head: Buffer, source: Readable): AsyncGenerator<Buffer> {
  yield head;
  for await (const chunk of source) yield chunk as Buffer;
}

/**
 * Streams an upload into storage after checking its first bytes: the magic-byte check (and the key, which carries
 * the sniffed extension) happen BEFORE anything is written, so a refused upload leaves nothing behind; the rest is
 * streamed with the byte limit enforced by the driver. On any failure `source` is destroyed (the multipart helper
 * then drains the request) and the driver has already removed whatever it wrote.
 */
export async function streamToStorage<T>(
  driver: StorageDriver,
  source: Readable,
  options: StreamToStorageOptions<T>,
): Promise<StoredStream<T>> {
  let sniffed: T;
  let target: { key: string; contentType: string };
  let body: Readable;
  try {
    const { head, ended } = await readHead(source, options.headBytes ?? MEDIA_SNIFF_BYTES);
    if (head.length > options.maxBytes) throw StorageErrors.payloadTooLarge(options.maxBytes);
    sniffed = options.sniff(head);
    target = options.target(sniffed);
    body = Readable.from(ended ? [head] : prepend(head, source), { objectMode: false });
  } catch (error) {
    source.destroy();
    throw error;
  }
  const { size } = await driver.put(target.key, body, { contentType: target.contentType, maxBytes: options.maxBytes });
  return { key: target.key, contentType: target.contentType, size, sniffed };
}
