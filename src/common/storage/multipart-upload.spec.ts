import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import multer from 'multer';
import { createServer, IncomingMessage, request, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MEDIA_HEADS, NON_MEDIA_HEADS, mediaBytes } from '../../../test/setup/media-fixtures';
import { AppError } from '../errors/app-error';
import { safeDisplayFileName } from './content-disposition';
import { LocalStorageDriver } from './local-storage.driver';
import { receiveMediaUpload } from './media-upload';
import { parseMultipartUpload, StreamingStorageEngine } from './multipart-upload';
import { streamToStorage } from './stream-to-storage';

const MAX = 256 * 1024;
const BOUNDARY = '----trajectorie-test-boundary';
const FIELDS = ['file_type', 'question_index', 'follow_up_sequence', 'scenario_id'];

interface Part {
  name: string;
  value?: string;
  data?: Buffer;
  filename?: string;
  type?: string;
  /** Raw Content-Disposition parameters after the name, replacing the filename. */
  disposition?: string;
}

function multipart(parts: Part[]): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition = part.disposition ?? (part.filename !== undefined ? `; filename="${part.filename}"` : '');
    const type = part.type ? `\r\nContent-Type: ${part.type}` : '';
    chunks.push(
      Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${part.name}"${disposition}${type}\r\n\r\n`),
    );
    chunks.push(part.data ?? Buffer.from(part.value ?? ''));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(chunks);
}

const file = (data: Buffer, type = 'video/webm;codecs=vp9,opus', filename = 'Q1_video.webm'): Part => ({
  name: 'file',
  data,
  filename,
  type,
});

interface Reply {
  status: number;
  body: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
}

/** Sends a raw body; a reset after the response arrived is fine (the server may close an oversize upload). */
function send(
  port: number,
  body: Buffer,
  options: { contentLength?: boolean; contentType?: string; chunkSize?: number; abortAfter?: number } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {
      'content-type': options.contentType ?? `multipart/form-data; boundary=${BOUNDARY}`,
    };
    if (options.contentLength !== false) headers['content-length'] = String(body.length);
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', headers });
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body: JSON.parse(Buffer.concat(chunks).toString() || '{}'),
          headers: res.headers,
        }),
      );
    });
    req.on('error', (error) => {
      if (!answered && options.abortAfter === undefined) reject(error);
    });
    const chunkSize = options.chunkSize ?? 64 * 1024;
    let offset = 0;
    const pump = (): void => {
      while (offset < body.length) {
        if (options.abortAfter !== undefined && offset >= options.abortAfter) {
          req.destroy();
          resolve({ status: 0, body: {}, headers: {} });
          return;
        }
        const chunk = body.subarray(offset, offset + chunkSize);
        offset += chunk.length;
        if (!req.write(chunk)) {
          req.once('drain', pump);
          return;
        }
      }
      req.end();
    };
    pump();
  });
}

describe('parseMultipartUpload / receiveMediaUpload (multer with a streaming engine, to local storage)', () => {
  let base: string;
  let driver: LocalStorageDriver;
  let server: Server;
  let port: number;
  let handled: Promise<unknown>[] = [];
  let handler: (req: IncomingMessage) => Promise<unknown>;

  /** Every file and folder left in the storage root (partial files and empty folders included). */
  const files = async (): Promise<string[]> =>
    (await readdir(base, { recursive: true }).catch(() => [] as string[])).sort();
  const settled = async (): Promise<void> => {
    await Promise.allSettled(handled);
  };

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      (req as IncomingMessage & { res: ServerResponse }).res = res; // as Express does
      const work = handler(req).then(
        (result) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify(result));
        },
        (error: unknown) => {
          const status = error instanceof AppError ? error.status : 500;
          const code = error instanceof AppError ? error.code : 'INTERNAL_ERROR';
          const errors = error instanceof AppError ? error.errors : undefined;
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ code, detail: (error as Error).message, errors }));
        },
      );
      handled.push(work);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'trajectorie-multipart-'));
    driver = new LocalStorageDriver(base);
    handled = [];
    handler = (req) =>
      receiveMediaUpload(req, driver, {
        tenantId: 't1',
        submissionId: randomUUID(),
        maxFileBytes: MAX,
        fields: FIELDS,
      });
  });

  afterEach(async () => {
    await settled();
    await rm(base, { recursive: true, force: true });
  });

  it.each([
    [
      'fields before the file',
      (data: Buffer) => [{ name: 'file_type', value: 'video' }, { name: 'question_index', value: '2' }, file(data)],
      /^tenants\/t1\/submissions\/[0-9a-f-]{36}\/q2\/f0\/[0-9a-f]{16}\.webm$/,
    ],
    [
      'the file before the fields',
      (data: Buffer) => [file(data), { name: 'file_type', value: 'video' }, { name: 'question_index', value: '2' }],
      /^tenants\/t1\/submissions\/[0-9a-f-]{36}\/[0-9a-f]{16}\.webm$/,
    ],
  ])('stores the file with %s', async (_name, build, keyPattern) => {
    const data = mediaBytes(MEDIA_HEADS.webm, 200_000);
    const reply = await send(port, multipart([...build(data), { name: 'candidate_name', value: 'ignored' }]));
    expect(reply.status).toBe(200);
    expect(reply.body.fields).toEqual({ file_type: 'video', question_index: '2' });
    const stored = reply.body.file as {
      key: string;
      size: number;
      sniffed: { container: string };
      declaredMime: string;
      clientFileName: string;
    };
    expect(stored).toMatchObject({
      size: data.length,
      sniffed: { container: 'webm' },
      clientFileName: 'Q1_video.webm',
    });
    // Chrome's unquoted `video/webm;codecs=vp9,opus` is unparsable to busboy (under multer): no declared type, the bytes decide.
    expect(stored.declaredMime).toBeUndefined();
    expect(stored.key).toMatch(keyPattern as RegExp);
    const onDisk = await readFile(join(base, stored.key));
    expect(createHash('sha256').update(onDisk).digest('hex')).toBe(createHash('sha256').update(data).digest('hex'));
  });

  it('accepts a file of exactly the limit, streamed without Content-Length', async () => {
    const reply = await send(
      port,
      multipart([{ name: 'file_type', value: 'audio' }, file(mediaBytes(MEDIA_HEADS.ogg, MAX), 'audio/ogg')]),
      {
        contentLength: false,
      },
    );
    expect(reply.status).toBe(200);
    expect((reply.body.file as { size: number }).size).toBe(MAX);
  });

  it.each([
    ['with Content-Length', true],
    ['chunked', false],
  ])('answers 413 for a file one byte over the limit (%s) and stores nothing', async (_name, contentLength) => {
    const reply = await send(
      port,
      multipart([file(mediaBytes(MEDIA_HEADS.webm, MAX + 1)), { name: 'file_type', value: 'video' }]),
      {
        contentLength,
      },
    );
    expect(reply).toMatchObject({ status: 413, body: { code: 'PAYLOAD_TOO_LARGE' } });
    await settled();
    expect(await files()).toEqual([]);
  });

  it('answers 413 at once for a declared Content-Length no valid request can have', async () => {
    const reply = await send(port, multipart([file(mediaBytes(MEDIA_HEADS.webm, 8 * MAX))]));
    expect(reply).toMatchObject({ status: 413, body: { code: 'PAYLOAD_TOO_LARGE' } });
    await settled();
    expect(await files()).toEqual([]);
  });

  it('cuts a chunked upload that grows past any valid size', async () => {
    const reply = await send(port, multipart([file(mediaBytes(MEDIA_HEADS.webm, 8 * MAX))]), { contentLength: false });
    expect(reply).toMatchObject({ status: 413 });
    expect(reply.headers.connection).toBe('close');
    await settled();
    expect(await files()).toEqual([]);
  });

  it.each([
    ['PNG', NON_MEDIA_HEADS.png],
    ['HTML', NON_MEDIA_HEADS.html],
  ])('answers 415 for %s bytes declared as webm and stores nothing', async (_name, head) => {
    const reply = await send(port, multipart([{ name: 'file_type', value: 'video' }, file(mediaBytes(head, 100_000))]));
    expect(reply).toMatchObject({ status: 415, body: { code: 'UNSUPPORTED_MEDIA_TYPE' } });
    expect(await files()).toEqual([]);
  });

  it('checks file_type against the content before writing when it came first', async () => {
    const reply = await send(
      port,
      multipart([{ name: 'file_type', value: 'video' }, file(mediaBytes(MEDIA_HEADS.mp3Frame, 10_000), 'audio/mpeg')]),
    );
    expect(reply.status).toBe(415);
    expect(await files()).toEqual([]);
  });

  it('refuses a second file and discards the first', async () => {
    const data = mediaBytes(MEDIA_HEADS.webm, 50_000);
    const reply = await send(port, multipart([file(data), file(data, 'video/webm', 'again.webm')]));
    expect(reply).toMatchObject({ status: 400, body: { code: 'INVALID_MULTIPART', errors: [{ field: 'file' }] } });
    expect(await files()).toEqual([]);
  });

  it('refuses a file under another field name, naming that field', async () => {
    const reply = await send(port, multipart([{ ...file(mediaBytes(MEDIA_HEADS.webm, 1000)), name: 'video' }]));
    expect(reply).toMatchObject({ status: 400, body: { code: 'INVALID_MULTIPART', errors: [{ field: 'video' }] } });
    expect(await files()).toEqual([]);
  });

  it.each([
    [
      'an over-long field after the file',
      [file(mediaBytes(MEDIA_HEADS.webm, 50_000)), { name: 'scenario_id', value: 'x'.repeat(9000) }],
      [{ field: 'scenario_id', message: 'Field "scenario_id" is longer than 8192 bytes' }],
    ],
    [
      'a repeated field',
      [
        { name: 'question_index', value: '1' },
        file(mediaBytes(MEDIA_HEADS.webm, 50_000)),
        { name: 'question_index', value: '2' },
      ],
      [{ field: 'question_index', message: 'Field "question_index" is repeated' }],
    ],
    [
      'a field sent as name[key]',
      [file(mediaBytes(MEDIA_HEADS.webm, 50_000)), { name: 'file_type[kind]', value: 'video' }],
      [{ field: 'file_type', message: 'Field "file_type" must be a plain value' }],
    ],
    [
      'too many fields',
      [
        file(mediaBytes(MEDIA_HEADS.webm, 50_000)),
        ...Array.from({ length: 40 }, (_, i) => ({ name: `f${i}`, value: 'v' })),
      ],
      undefined,
    ],
  ])('answers 400 for %s and leaves nothing', async (_name, parts, errors) => {
    const reply = await send(port, multipart(parts as Part[]));
    expect(reply).toMatchObject({ status: 400, body: { code: 'INVALID_MULTIPART' } });
    expect(reply.body.errors).toEqual(errors);
    expect(await files()).toEqual([]);
  });

  it('keeps the first error (415) when the body after it grows past any valid size', async () => {
    const body = multipart([{ name: 'file_type', value: 'video' }, file(mediaBytes(NON_MEDIA_HEADS.png, 8 * MAX))]);
    const reply = await send(port, body, { contentLength: false });
    expect(reply).toMatchObject({ status: 415, body: { code: 'UNSUPPORTED_MEDIA_TYPE' } });
    expect(reply.headers.connection).toBe('close');
    await settled();
    expect(await files()).toEqual([]);
  });

  it("surfaces a storage driver's own failure as is (a 500), not as a client error", async () => {
    const failing = Object.create(driver) as LocalStorageDriver;
    failing.put = async () => {
      throw new Error('disk full');
    };
    handler = (req) =>
      receiveMediaUpload(req, failing, {
        tenantId: 't1',
        submissionId: randomUUID(),
        maxFileBytes: MAX,
        fields: FIELDS,
      });
    const reply = await send(
      port,
      multipart([file(mediaBytes(MEDIA_HEADS.webm, 50_000)), { name: 'file_type', value: 'video' }]),
    );
    expect(reply).toMatchObject({ status: 500, body: { code: 'INTERNAL_ERROR', detail: 'disk full' } });
  });

  it('answers 400 for a body that is not multipart', async () => {
    const reply = await send(port, Buffer.from('{"a":1}'), { contentType: 'application/json' });
    expect(reply).toMatchObject({ status: 400, body: { code: 'MULTIPART_REQUIRED' } });
  });

  it('answers 400 for a truncated body and leaves nothing', async () => {
    const body = multipart([file(mediaBytes(MEDIA_HEADS.webm, 100_000))]);
    const reply = await send(port, body.subarray(0, 60_000), { contentLength: false });
    expect(reply).toMatchObject({ status: 400, body: { code: 'INVALID_MULTIPART' } });
    expect(await files()).toEqual([]);
  });

  it('leaves nothing when the client disconnects mid-file', async () => {
    await send(port, multipart([file(mediaBytes(MEDIA_HEADS.webm, MAX))]), {
      abortAfter: 100_000,
      chunkSize: 16 * 1024,
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await settled();
    expect(await files()).toEqual([]);
  });

  it('reads a declared type with quoted codec parameters', async () => {
    const reply = await send(port, multipart([file(mediaBytes(MEDIA_HEADS.webm, 1000), 'audio/webm; codecs="opus"')]));
    expect(reply.status).toBe(200);
    expect(reply.body.file).toMatchObject({ declaredMime: 'audio/webm' });
  });

  it('never uses a hostile client file name for the key', async () => {
    const names = [
      { filename: '../../../etc/evil.webm', shown: 'evil.webm' }, // multer (busboy) keeps the base name only
      { filename: `${'n'.repeat(300)}.webm`, shown: `${'n'.repeat(195)}.webm` },
      { disposition: `; filename*=UTF-8''..%2F..%2Fa%00b%0D%0A.webm`, shown: 'ab.webm' },
    ];
    const keys: string[] = [];
    for (const { shown, ...name } of names) {
      const reply = await send(port, multipart([{ ...file(mediaBytes(MEDIA_HEADS.webm, 1000)), ...name }]));
      expect(reply.status).toBe(200);
      const stored = reply.body.file as { key: string; clientFileName: string };
      expect(stored.key).toMatch(/^tenants\/t1\/submissions\/[0-9a-f-]{36}\/[0-9a-f]{16}\.webm$/);
      expect(safeDisplayFileName(stored.clientFileName, 'answer.webm')).toBe(shown);
      keys.push(stored.key);
    }
    const stored = (await files()).filter((entry) => entry.endsWith('.webm'));
    expect(stored).toEqual([...keys].sort());
  });

  it('answers 400 for a raw NUL in a part header and stores nothing', async () => {
    const reply = await send(
      port,
      multipart([file(mediaBytes(MEDIA_HEADS.webm, 1000), 'video/webm', 'a\u0000b.webm')]),
    );
    expect(reply).toMatchObject({ status: 400, body: { code: 'INVALID_MULTIPART' } });
    expect(await files()).toEqual([]);
  });

  it('returns file: null when there is no file part', async () => {
    const reply = await send(port, multipart([{ name: 'file_type', value: 'video' }]));
    expect(reply).toMatchObject({ status: 200, body: { fields: { file_type: 'video' }, file: null } });
  });

  it('drains a file part its consumer did not read, so the request still completes', async () => {
    handler = (req) =>
      parseMultipartUpload(req, { maxFileBytes: MAX, fields: ['after'], onFile: async () => 'ignored' });
    const reply = await send(
      port,
      multipart([file(mediaBytes(MEDIA_HEADS.webm, 200_000)), { name: 'after', value: 'seen' }]),
    );
    expect(reply).toMatchObject({ status: 200, body: { fields: { after: 'seen' }, file: 'ignored' } });
  });
});

describe('StreamingStorageEngine as a plain multer storage engine (one per request)', () => {
  it('streams the file to the driver, and multer removes it when the request fails afterwards', async () => {
    const base = mkdtempSync(join(tmpdir(), 'trajectorie-engine-'));
    const driver = new LocalStorageDriver(base);
    const server = createServer((req, res) => {
      const engine = new StreamingStorageEngine(
        MAX,
        (stream) =>
          streamToStorage(driver, stream, {
            maxBytes: MAX,
            sniff: () => 'csv',
            target: () => ({ key: 'csv/upload.csv', contentType: 'text/csv' }),
          }),
        (stored) => driver.delete(stored.key),
      );
      multer({ storage: engine, limits: { fields: 1 } }).single('file')(
        req as never,
        res as never,
        (error?: unknown) => {
          res.writeHead(error ? 400 : 200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: (error as { code?: string } | undefined)?.code ?? null }));
        },
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const enginePort = (server.address() as AddressInfo).port;
    const csvFiles = async () => (await readdir(base, { recursive: true })).filter((entry) => entry.endsWith('.csv'));
    try {
      const csv = Buffer.from('email,name\na@example.com,A\n');
      const ok = await send(
        enginePort,
        multipart([{ name: 'file', data: csv, filename: 'people.csv', type: 'text/csv' }]),
      );
      expect(ok).toMatchObject({ status: 200, body: { error: null } });
      expect((await readFile(join(base, 'csv/upload.csv'))).equals(csv)).toBe(true);
      await driver.delete('csv/upload.csv');

      const extraFields = [
        { name: 'a', value: '1' },
        { name: 'b', value: '2' },
      ];
      const failed = await send(
        enginePort,
        multipart([{ name: 'file', data: csv, filename: 'people.csv' }, ...extraFields]),
      );
      expect(failed).toMatchObject({ status: 400, body: { error: 'LIMIT_FIELD_COUNT' } });
      expect(await csvFiles()).toEqual([]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
      await rm(base, { recursive: true, force: true });
    }
  });
});
