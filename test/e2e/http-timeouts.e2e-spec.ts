import { readFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { AddressInfo, connect } from 'node:net';
import { join } from 'node:path';
import { filesUnder, MEDIA_BOUNDARY, mediaRows, submitInterview } from '../setup/media-upload';
import { createTenantWithStaff } from '../setup/factories';
import { distinctWebm, rawUpload, uploadBody } from '../setup/raw-upload';
import { Staff } from '../setup/fixtures';
import { createTestApp, TestApp } from '../setup/test-app';

const HEADERS_TIMEOUT = 1_500;
const IDLE_TIMEOUT = 1_000;
const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The server's limits against slow and idle clients (HTTP_*_TIMEOUT_MS), on a real socket. */
describe('HTTP server timeouts', () => {
  let t: TestApp;
  let a: Staff;
  let port: number;

  beforeAll(async () => {
    t = await createTestApp({
      HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT),
      HTTP_KEEP_ALIVE_TIMEOUT_MS: '500',
      HTTP_IDLE_TIMEOUT_MS: String(IDLE_TIMEOUT),
    });
    a = await createTenantWithStaff(t, { max_test_attempts: 100 });
    await t.app.listen(0, '127.0.0.1');
    port = (t.app.getHttpServer().address() as AddressInfo).port;
  });
  afterAll(() => t.close());

  it('closes a connection that trickles its headers once the headers timeout passes (408)', async () => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.on('error', () => undefined);
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const started = Date.now();
    socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    // One header byte every 250 ms: never idle long enough for the idle timeout, never done.
    const header = 'X-Slow: ' + 'a'.repeat(200);
    let sent = 0;
    const trickle = setInterval(() => {
      if (!socket.destroyed && sent < header.length) socket.write(header[sent++]);
    }, 250);
    try {
      await closed;
    } finally {
      clearInterval(trickle);
    }
    const elapsed = Date.now() - started;
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
    expect(elapsed).toBeGreaterThanOrEqual(HEADERS_TIMEOUT - 100);
    expect(elapsed).toBeLessThan(HEADERS_TIMEOUT + 3_000);
    expect(sent).toBeLessThan(header.length);
  });

  it('lets a slow but moving upload that takes longer than the headers and idle timeouts finish', async () => {
    const submission = await submitInterview(t, a.candidateTokens);
    const data = distinctWebm(60 * 1024);
    const started = Date.now();
    const res = await rawUpload(port, submission.id, a.candidateTokens.access_token, uploadBody(data), {
      chunkBytes: 3 * 1024,
      between: () => delay(150),
    });
    expect(Date.now() - started).toBeGreaterThan(HEADERS_TIMEOUT + IDLE_TIMEOUT);
    expect(res?.status).toBe(201);
    const [row] = await mediaRows(t, submission.id);
    expect(Number(row.file_size)).toBe(data.length);
    expect((await readFile(join(t.config.storage.path, row.storage_key as string))).equals(data)).toBe(true);
  });

  it('drops an upload that stops sending (idle timeout): no row, no file left', async () => {
    const submission = await submitInterview(t, a.candidateTokens);
    const body = uploadBody(distinctWebm(60 * 1024));
    const req = httpRequest({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: `/api/v1/submissions/${submission.id}/media`,
      headers: {
        authorization: `Bearer ${a.candidateTokens.access_token}`,
        'content-type': `multipart/form-data; boundary=${MEDIA_BOUNDARY}`,
        'content-length': String(body.length),
      },
    });
    const outcome = new Promise<string>((resolve) => {
      req.on('response', (res) => resolve(`response ${res.statusCode}`));
      req.on('error', (error: NodeJS.ErrnoException) => resolve(`error ${error.code ?? error.message}`));
    });
    req.write(body.subarray(0, 16 * 1024)); // then nothing more
    const started = Date.now();
    expect(await outcome).toMatch(/^error (ECONNRESET|EPIPE)$/);
    expect(Date.now() - started).toBeLessThan(IDLE_TIMEOUT + 3_000);
    // The server cleans up after the hang-up asynchronously: wait (bounded) until the partial file is gone.
    const leftovers = async () =>
      (await filesUnder(t.config.storage.path)).filter((file) => file.includes(submission.id));
    for (let i = 0; i < 100 && (await leftovers()).length > 0; i++) await delay(50);
    expect(await leftovers()).toEqual([]);
    expect(await mediaRows(t, submission.id)).toEqual([]);
  });
});
