import { randomInt } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { binaryParser, filesUnder, submitInterview } from '../setup/media-upload';
import { bearer, createTenantWithStaff } from '../setup/factories';
import { distinctWebm, rawUpload, uploadBody } from '../setup/raw-upload';
import { Staff } from '../setup/fixtures';
import { createTestApp, TestApp } from '../setup/test-app';

const MAX = 64 * 1024;
const ROUNDS = 4;
const GOOD = 30;
const OVERSIZE = 15;
const ABORTED = 15;

/**
 * Good uploads running alongside oversize (413 mid-stream) and client-aborted ones, through the real HTTP route on
 * local storage. A failed write must never close a descriptor that another upload (or a socket) has reused since:
 * every good upload is answered 201 and stored byte for byte, the failed ones leave nothing, the process survives.
 */
describe('Media uploads under concurrent failures (local storage)', () => {
  let t: TestApp;
  let a: Staff;
  let port: number;
  let root: string;

  beforeAll(async () => {
    t = await createTestApp({ MAX_FILE_SIZE: String(MAX) });
    root = t.config.storage.path;
    a = await createTenantWithStaff(t, { max_test_attempts: 100 });
    await t.app.listen(0, '127.0.0.1');
    port = (t.app.getHttpServer().address() as AddressInfo).port;
  });
  afterAll(() => t.close());

  const jitter = () => new Promise<void>((r) => setTimeout(r, randomInt(0, 15)));

  it(`${GOOD} good, ${OVERSIZE} oversize and ${ABORTED} aborted uploads at once, ${ROUNDS} rounds: every good file intact`, async () => {
    for (let round = 1; round <= ROUNDS; round++) {
      const submission = await submitInterview(t, a.candidateTokens);
      const token = a.candidateTokens.access_token;
      const good = Array.from({ length: GOOD }, () => distinctWebm(randomInt(8 * 1024, MAX + 1)));
      const requests = [
        ...good.map((data) =>
          rawUpload(port, submission.id, token, uploadBody(data), { chunkBytes: 16 * 1024, between: jitter }),
        ),
        ...Array.from({ length: OVERSIZE }, (_, i) =>
          rawUpload(port, submission.id, token, uploadBody(distinctWebm(MAX * 3)), {
            chunkBytes: 16 * 1024,
            chunked: i % 2 === 0,
            between: jitter,
          }),
        ),
        ...Array.from({ length: ABORTED }, () =>
          rawUpload(port, submission.id, token, uploadBody(distinctWebm(MAX - 1000)), {
            chunkBytes: 8 * 1024,
            abortAfterBytes: randomInt(4 * 1024, 48 * 1024),
            beforeAbort: jitter,
          }),
        ),
      ];
      const responses = await Promise.all(requests);

      const goodResponses = responses.slice(0, GOOD);
      expect(goodResponses.map((res) => res?.status)).toEqual(good.map(() => 201));
      for (const res of responses.slice(GOOD, GOOD + OVERSIZE)) {
        expect(res?.status).toBe(413);
        expect(JSON.parse(res!.body)).toMatchObject({ status_code: 413, code: 'PAYLOAD_TOO_LARGE' });
      }
      expect(responses.slice(GOOD + OVERSIZE).every((res) => res === null)).toBe(true);

      const ids = goodResponses.map((res) => (JSON.parse(res!.body) as { media_file_id: string }).media_file_id);
      const rows: { id: string; storage_key: string; file_size: string | number }[] = await t.db.query(
        `SELECT id, storage_key, file_size FROM media_files WHERE submission_id = $1`,
        [submission.id],
      );
      expect(rows.map((row) => row.id).sort()).toEqual([...ids].sort());
      for (const [index, data] of good.entries()) {
        const row = rows.find((r) => r.id === ids[index])!;
        expect(Number(row.file_size)).toBe(data.length);
        const onDisk = await readFile(join(root, row.storage_key));
        expect(onDisk.equals(data)).toBe(true);
        const download = await t
          .http()
          .get(`/api/v1/submissions/${submission.id}/media/${row.id}/content`)
          .set(bearer(a.candidateTokens))
          .buffer(true)
          .parse(binaryParser)
          .expect(200);
        expect((download.body as Buffer).equals(data)).toBe(true);
      }
      // Only the good uploads are on disk: no partial file, nothing from an oversize or aborted upload.
      const submissionFiles = (await filesUnder(root)).filter((file) => file.includes(submission.id));
      expect(submissionFiles).toEqual(rows.map((row) => row.storage_key).sort());
    }
    expect((await filesUnder(root)).filter((file) => file.includes('.partial-'))).toEqual([]);
    await t.http().get('/health').expect(200);
  });
});
