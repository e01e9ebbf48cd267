import { MEDIA_HEADS, NON_MEDIA_HEADS, mediaBytes } from '../setup/media-fixtures';
import { filePart, frontendParts, mediaRows, postMedia, submitInterview, webm } from '../setup/media-upload';
import { bearer, createTenantWithStaff } from '../setup/factories';
import { S3TestServer, startS3TestServer } from '../setup/s3-test-server';
import { Staff, storageKeyOf } from '../setup/fixtures';
import { createTestApp, TestApp } from '../setup/test-app';

const BASE = '/api/v1/submissions';
/** Above S3's 5 MiB part size, so an oversize upload has started a multipart upload when it overflows. */
const MAX = 5 * 1024 * 1024 + 512 * 1024;

/** The media routes with STORAGE_PROVIDER=s3 against a real S3-compatible server (s3rver), not a mock. */
describe('Media on S3 (s3rver)', () => {
  let s3: S3TestServer;
  let t: TestApp;
  let a: Staff;
  let b: Staff;

  const expiresOf = (url: string) => Number(new URL(url).searchParams.get('X-Amz-Expires'));

  beforeAll(async () => {
    s3 = await startS3TestServer();
    t = await createTestApp({ ...s3.env, MAX_FILE_SIZE: String(MAX) });
    a = await createTenantWithStaff(t, { max_test_attempts: 100 });
    b = await createTenantWithStaff(t, { max_test_attempts: 100 });
  });
  afterAll(async () => {
    await t?.close();
    await s3?.close();
  });

  it('upload → object in the bucket, row with provider s3; list gives a presigned URL (≤ 15 min) with the same bytes', async () => {
    const submission = await submitInterview(t, a.candidateTokens);
    const data = webm(300_000);
    const res = await postMedia(
      t,
      a.candidateTokens,
      submission.id,
      frontendParts(filePart(data, 'video/webm;codecs=vp8,opus')),
    );
    expect(res.status).toBe(201);
    const [row] = await mediaRows(t, submission.id);
    expect(row).toMatchObject({ id: res.body.media_file_id, storage_provider: 's3', file_size: String(data.length) });
    expect(await s3.listKeys()).toContain(row.storage_key);
    expect(res.body.storage_url).toContain(s3.endpoint);

    const list = await t.http().get(`${BASE}/${submission.id}/media`).set(bearer(a.adminTokens)).expect(200);
    const url = list.body[0].storage_url as string;
    expect(url.startsWith(`${s3.endpoint}/${s3.bucket}/`)).toBe(true);
    expect(expiresOf(url)).toBeGreaterThan(0);
    expect(expiresOf(url)).toBeLessThanOrEqual(900);
    const fetched = await fetch(url);
    expect(fetched.status).toBe(200);
    expect(fetched.headers.get('content-disposition')).toBe(
      `attachment; filename="Q1_video.webm"; filename*=UTF-8''Q1_video.webm`,
    );
    expect(fetched.headers.get('content-type')).toBe('video/webm');
    expect(Buffer.compare(Buffer.from(await fetched.arrayBuffer()), data)).toBe(0);
  });

  it('/content answers 302 to a short-lived presigned link that serves the file', async () => {
    const submission = await submitInterview(t, a.candidateTokens);
    const data = mediaBytes(MEDIA_HEADS.m4a, 20_000);
    const media = (
      await postMedia(
        t,
        a.candidateTokens,
        submission.id,
        frontendParts(filePart(data, 'audio/m4a', 'answer.m4a'), { file_type: 'audio' }),
      )
    ).body;
    expect(media.mime_type).toBe('audio/mp4');
    const res = await t
      .http()
      .get(`${BASE}/${submission.id}/media/${media.media_file_id}/content`)
      .set(bearer(a.candidateTokens))
      .redirects(0);
    expect(res.status).toBe(302);
    expect(res.headers['cache-control']).toBe('private, no-store');
    const location = res.headers.location as string;
    expect(expiresOf(location)).toBeLessThanOrEqual(900);
    const fetched = await fetch(location);
    expect(fetched.headers.get('content-disposition')).toMatch(/^attachment; filename="answer.m4a"/);
    expect(Buffer.compare(Buffer.from(await fetched.arrayBuffer()), data)).toBe(0);
  });

  it('delete removes the object from the bucket; deleting the submission removes the rest', async () => {
    const submission = await submitInterview(t, a.candidateTokens);
    const first = (await postMedia(t, a.candidateTokens, submission.id, frontendParts(filePart(webm())))).body;
    const second = (await postMedia(t, a.candidateTokens, submission.id, frontendParts(filePart(webm())))).body;
    const firstKey = (await storageKeyOf(t.db, first.media_file_id))!;
    const secondKey = (await storageKeyOf(t.db, second.media_file_id))!;
    expect(await s3.listKeys()).toEqual(expect.arrayContaining([firstKey, secondKey]));

    await t
      .http()
      .delete(`${BASE}/${submission.id}/media/${first.media_file_id}`)
      .set(bearer(a.adminTokens))
      .expect(200);
    let keys = await s3.listKeys();
    expect(keys).not.toContain(firstKey);
    expect(keys).toContain(secondKey);

    await t.http().delete(`${BASE}/${submission.id}`).set(bearer(a.adminTokens)).expect(200);
    keys = await s3.listKeys();
    expect(keys).not.toContain(secondKey);
  });

  it('oversize → 413: no object and no pending multipart upload; no row', async () => {
    const submission = await submitInterview(t, a.candidateTokens);
    const before = await s3.listKeys();
    const abortedBefore = s3.abortedMultipartUploads();
    const res = await postMedia(t, a.candidateTokens, submission.id, frontendParts(filePart(webm(MAX + 64 * 1024))));
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('PAYLOAD_TOO_LARGE');
    expect(await s3.listKeys()).toEqual(before);
    expect(await s3.pendingMultipartUploads()).toEqual([]);
    // The first 5 MiB went up as a multipart part before the overflow; the driver aborted that upload.
    expect(s3.abortedMultipartUploads()).toBe(abortedBefore + 1);
    expect(await mediaRows(t, submission.id)).toHaveLength(0);
  });

  it('415 for PNG bytes declared as webm and 404 for a foreign tenant: the bucket is unchanged', async () => {
    const submission = await submitInterview(t, a.candidateTokens);
    const before = await s3.listKeys();
    const png = await postMedia(
      t,
      a.candidateTokens,
      submission.id,
      frontendParts(filePart(mediaBytes(NON_MEDIA_HEADS.png, 4096))),
    );
    expect(png.status).toBe(415);
    const foreign = await postMedia(t, b.adminTokens, submission.id, frontendParts(filePart(webm())));
    expect(foreign.status).toBe(404);
    expect(await s3.listKeys()).toEqual(before);
    expect(await mediaRows(t, submission.id)).toHaveLength(0);
  });

  // Last: it stops the S3 server.
  it('S3 unreachable: uploads and downloads answer 503 with Retry-After (a dependency failure), and no row is written', async () => {
    const submission = await submitInterview(t, a.candidateTokens);
    const stored = await postMedia(t, a.candidateTokens, submission.id, frontendParts(filePart(webm(1000)))).expect(
      201,
    );
    await s3.close();
    const upload = await postMedia(t, a.candidateTokens, submission.id, frontendParts(filePart(webm(1000))));
    expect(upload.status).toBe(503);
    expect(upload.headers['retry-after']).toBe('5');
    expect(upload.body).toMatchObject({ status_code: 503, code: 'SERVICE_UNAVAILABLE' });
    expect(await mediaRows(t, submission.id)).toHaveLength(1);
    const download = await t
      .http()
      .get(`${BASE}/${submission.id}/media/${stored.body.media_file_id}/content`)
      .set(bearer(a.candidateTokens));
    // a presigned link is signed locally, without calling S3: the redirect is still given; the browser finds out
    expect(download.status).toBe(302);
    expect(download.headers.location).toContain(s3.endpoint);
  });
});
