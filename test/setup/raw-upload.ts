import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { MEDIA_HEADS } from './media-fixtures';
import { frontendParts, filePart, MEDIA_BOUNDARY, multipartBody } from './media-upload';

/**
 * Uploads over a real socket to an app listening on 127.0.0.1, for what supertest cannot do: send a body slowly,
 * stop mid-body and reset the connection, or run dozens at once.
 */
export interface RawResponse {
  status: number;
  body: string;
}

export interface RawUploadOptions {
  /** Bytes per write (default: the whole body in one write). */
  chunkBytes?: number;
  /** Awaited between two writes (e.g. a delay, to send a slow-but-moving body). */
  between?: () => Promise<void>;
  /** Destroy the socket once this many body bytes were written (after `beforeAbort`): the promise resolves null. */
  abortAfterBytes?: number;
  beforeAbort?: () => Promise<void>;
  /** No Content-Length: Transfer-Encoding chunked. */
  chunked?: boolean;
}

/** A WebM recording of `size` bytes whose filler is random, so no two uploads hold the same bytes. */
export function distinctWebm(size: number): Buffer {
  const data = randomBytes(size);
  MEDIA_HEADS.webm.copy(data, 0, 0, Math.min(MEDIA_HEADS.webm.length, size));
  return data;
}

/** The multipart body the first seed's frontend sends for `data` (the boundary never occurs in random filler by chance). */
export function uploadBody(data: Buffer): Buffer {
  if (data.includes(`--${MEDIA_BOUNDARY}`)) throw new Error('the filler contains the multipart boundary');
  return multipartBody(frontendParts(filePart(data)));
}

export function rawUpload(
  port: number,
  submissionId: string,
  accessToken: string,
  body: Buffer,
  options: RawUploadOptions = {},
): Promise<RawResponse | null> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${accessToken}`,
    'content-type': `multipart/form-data; boundary=${MEDIA_BOUNDARY}`,
  };
  if (!options.chunked) headers['content-length'] = String(body.length);
  return new Promise((resolve, reject) => {
    let aborted = false;
    const req = httpRequest(
      { host: '127.0.0.1', port, method: 'POST', path: `/api/v1/submissions/${submissionId}/media`, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (error) => (aborted ? resolve(null) : reject(error)));
      },
    );
    req.on('error', (error) => (aborted ? resolve(null) : reject(error)));
    const chunkBytes = options.chunkBytes ?? body.length;
    void (async () => {
      let sent = 0;
      while (sent < body.length) {
        if (options.abortAfterBytes !== undefined && sent >= options.abortAfterBytes) {
          await options.beforeAbort?.();
          aborted = true;
          req.destroy();
          return;
        }
        const end = Math.min(body.length, sent + chunkBytes, options.abortAfterBytes ?? Infinity);
        const flushed = req.write(body.subarray(sent, end));
        sent = end;
        if (!flushed) {
          await new Promise<void>((r) => {
            const done = () => {
              req.off('drain', done).off('close', done);
              r();
            };
            req.once('drain', done).once('close', done);
          });
        }
        if (req.destroyed) return; // the server answered early (e.g. 413) and closed
        if (sent < body.length && options.between) await options.between();
      }
      req.end();
    })().catch(reject);
  });
}
