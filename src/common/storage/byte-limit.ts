import { Transform, TransformCallback } from 'node:stream';
import { StorageErrors } from './storage.errors';

/**
 * Counts the bytes flowing through and fails the stream with PAYLOAD_TOO_LARGE as soon as the count passes
 * `maxBytes`, before the offending chunk reaches the destination.
 */
export class ByteLimit extends Transform {
  bytes = 0;
  exceeded = false;

  constructor(private readonly maxBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) {
      this.exceeded = true;
      callback(StorageErrors.payloadTooLarge(this.maxBytes));
      return;
    }
    callback(null, chunk);
  }
}
