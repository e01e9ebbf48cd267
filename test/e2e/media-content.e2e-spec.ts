import { request as httpRequest } from 'node:http';
import { AddressInfo } from 'node:net';
import { readdir, readlink, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import {
  binaryParser,
  filePart,
  filesUnder,
  frontendParts,
  mediaRows,
  postMedia,
  submitInterview,
  webm,
} from '../setup/media-upload';
import { bearer, createUser, loginAs, Tokens } from '../setup/factories';
import { auditRows, setupTwoTenants, Staff, storageKeyOf } from '../setup/fixtures';
import { createTestApp, TestApp } from '../setup/test-app';
import { ISO, signedMediaUrl } from '../setup/matchers';

type Method = 'get' | 'post' | 'delete';

const UNKNOWN_ID = '6a1e0f52-3333-4333-8333-333333333333';
const BASE = '/api/v1/submissions';

/** Listing, downloading (Range, attachment headers) and deleting media on local storage. */
describe('Media files: list, content, delete (local storage)', () => {
  let t: TestApp;
  let a: Staff;
  let b: Staff;
  let superTokens: Tokens;
  let root: string;

  const upload = async (tokens: Tokens, submissionId: string, data = webm(), fields: Record<string, string> = {}) =>
    (await postMedia(t, tokens, submissionId, frontendParts(filePart(data), fields)).expect(201)).body;
  const download = (tokens: Tokens, path: string) =>
    t.http().get(path).set(bearer(tokens)).buffer(true).parse(binaryParser);

  beforeAll(async () => {
    t = await createTestApp();
    root = t.config.storage.path;
    ({ a, b, superTokens } = await setupTwoTenants(t, { max_test_attempts: 100 }));
  });
  afterAll(() => t.close());

  describe('list', () => {
    it('ordered by question, follow-up, upload time; a download URL each, never a path or key', async () => {
      const submission = await submitInterview(t, a.candidateTokens);
      const q1f1 = await upload(a.candidateTokens, submission.id, webm(), {
        question_index: '1',
        is_follow_up: 'true',
        follow_up_sequence: '1',
      });
      const q1 = await upload(a.candidateTokens, submission.id, webm(), { question_index: '1' });
      const q0 = await upload(a.candidateTokens, submission.id, webm(2000), { question_index: '0' });
      const q0again = await upload(a.candidateTokens, submission.id, webm(3000), { question_index: '0' });

      const res = await t.http().get(`${BASE}/${submission.id}/media`).set(bearer(a.candidateTokens)).expect(200);
      expect(res.body.map((m: { id: string }) => m.id)).toEqual([q0, q0again, q1, q1f1].map((m) => m.media_file_id));
      expect(res.body[0]).toEqual({
        id: q0.media_file_id,
        file_name: 'Q1_video.webm',
        file_type: 'video',
        mime_type: 'video/webm',
        file_size: 2000,
        question_index: 0,
        scenario_id: 'scenario-1',
        is_follow_up: false,
        follow_up_sequence: 0,
        storage_url: signedMediaUrl(q0.media_file_id),
        created_at: ISO,
      });
      expect(res.body[3]).toMatchObject({ is_follow_up: true, follow_up_sequence: 1 });
      const text = JSON.stringify(res.body);
      expect(text).not.toContain(root);
      expect(text).not.toContain((await storageKeyOf(t.db, q0.media_file_id))!);
      expect(text).not.toMatch(/storage_key|file_path/);

      for (const tokens of [a.adminTokens, superTokens]) {
        const list = await t.http().get(`${BASE}/${submission.id}/media`).set(bearer(tokens)).expect(200);
        expect(list.body).toHaveLength(4);
      }
    });

    it('an empty array for a submission without media', async () => {
      const submission = await submitInterview(t, a.adminTokens);
      const res = await t.http().get(`${BASE}/${submission.id}/media`).set(bearer(a.adminTokens)).expect(200);
      expect(res.body).toEqual([]);
    });
  });

  describe('content', () => {
    let submissionId: string;
    let mediaId: string;
    let data: Buffer;
    let path: string;

    beforeAll(async () => {
      submissionId = (await submitInterview(t, a.candidateTokens)).id;
      data = webm(50_000);
      data.write('0123456789abcdef', 1000, 'latin1');
      mediaId = (await upload(a.candidateTokens, submissionId, data)).media_file_id;
      path = `${BASE}/${submissionId}/media/${mediaId}/content`;
    });

    it('streams the exact bytes as an attachment: type, length, nosniff, no caching, Accept-Ranges', async () => {
      const res = await download(a.candidateTokens, path).expect(200);
      expect(Buffer.compare(res.body as Buffer, data)).toBe(0);
      expect(res.headers).toMatchObject({
        'content-type': 'video/webm',
        'content-length': String(data.length),
        'accept-ranges': 'bytes',
        'content-disposition': `attachment; filename="Q1_video.webm"; filename*=UTF-8''Q1_video.webm`,
        'x-content-type-options': 'nosniff',
        'cache-control': 'private, no-store',
      });
      for (const tokens of [a.adminTokens, superTokens]) await download(tokens, path).expect(200);
      const head = await t.http().head(path).set(bearer(a.candidateTokens)).expect(200);
      expect(head.headers['content-length']).toBe(String(data.length));
    });

    it('206 for one range: exact bytes and Content-Range; suffix and open ranges', async () => {
      const mid = await download(a.candidateTokens, path).set('Range', 'bytes=1000-1015').expect(206);
      expect((mid.body as Buffer).toString('latin1')).toBe('0123456789abcdef');
      expect(mid.headers).toMatchObject({ 'content-range': `bytes 1000-1015/${data.length}`, 'content-length': '16' });

      const suffix = await download(a.candidateTokens, path).set('Range', 'bytes=-100').expect(206);
      expect(Buffer.compare(suffix.body as Buffer, data.subarray(data.length - 100))).toBe(0);
      const open = await download(a.candidateTokens, path)
        .set('Range', `bytes=${data.length - 10}-`)
        .expect(206);
      expect(open.headers['content-range']).toBe(`bytes ${data.length - 10}-${data.length - 1}/${data.length}`);
      const head = await download(a.candidateTokens, path).set('Range', 'bytes=0-3').expect(206);
      expect(Buffer.compare(head.body as Buffer, data.subarray(0, 4))).toBe(0);
    });

    it('416 with Content-Range bytes */size past the end; several ranges get the whole file', async () => {
      const res = await t
        .http()
        .get(path)
        .set(bearer(a.candidateTokens))
        .set('Range', `bytes=${data.length}-`)
        .expect(416);
      expect(res.headers['content-range']).toBe(`bytes */${data.length}`);
      expect(res.body.code).toBe('RANGE_NOT_SATISFIABLE');
      const multi = await download(a.candidateTokens, path).set('Range', 'bytes=0-1,5-6').expect(200);
      expect((multi.body as Buffer).length).toBe(data.length);
    });

    it('a client that aborts mid-download does not disturb the server', async () => {
      const big = webm(4 * 1024 * 1024);
      const id = (await upload(a.adminTokens, submissionId, big)).media_file_id;
      const server = t.app.getHttpServer();
      if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      const openFiles = async () => {
        const fds = await readdir('/proc/self/fd');
        const targets = await Promise.all(fds.map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')));
        return targets.filter((target) => target.startsWith(root)).length;
      };
      await new Promise<void>((resolve, reject) => {
        const req = httpRequest({
          host: '127.0.0.1',
          port,
          path: `${BASE}/${submissionId}/media/${id}/content`,
          headers: bearer(a.adminTokens),
        });
        req.on('response', (res) => {
          expect(res.statusCode).toBe(200);
          res.once('data', () => {
            req.destroy();
            resolve();
          });
        });
        req.on('error', (error) => (req.destroyed ? undefined : reject(error)));
        req.end();
      });
      // The server noticed the abort and closed the file (on Linux, where /proc shows open descriptors).
      if (process.platform === 'linux') {
        for (let i = 0; i < 50 && (await openFiles()) > 0; i++) await new Promise((r) => setTimeout(r, 20));
        expect(await openFiles()).toBe(0);
      }
      const again = await download(a.adminTokens, `${BASE}/${submissionId}/media/${id}/content`).expect(200);
      expect((again.body as Buffer).length).toBe(big.length);
    });

    it('404 when the stored object is gone behind the API', async () => {
      const id = (await upload(a.adminTokens, submissionId)).media_file_id;
      await unlink(join(root, (await storageKeyOf(t.db, id))!));
      const res = await t
        .http()
        .get(`${BASE}/${submissionId}/media/${id}/content`)
        .set(bearer(a.adminTokens))
        .expect(404);
      expect(res.body.code).toBe('STORAGE_OBJECT_NOT_FOUND');
    });
  });

  describe('signed links (storage_url on local storage)', () => {
    const signedParts = (url: string) => {
      const parsed = new URL(url);
      return {
        path: parsed.pathname,
        expires: parsed.searchParams.get('expires')!,
        signature: parsed.searchParams.get('signature')!,
      };
    };
    const fetchSigned = (path: string, query: Record<string, string>) =>
      t.http().get(path).query(query).buffer(true).parse(binaryParser);

    it('play without a token: absolute (PUBLIC_BASE_URL), ≤ 15 minutes, Range, embeddable cross-origin, exact bytes', async () => {
      const submission = await submitInterview(t, a.candidateTokens);
      const data = webm(5000);
      const uploaded = await upload(a.candidateTokens, submission.id, data);
      expect(
        uploaded.storage_url.startsWith(`${t.config.publicBaseUrl}/api/v1/media/${uploaded.media_file_id}/file?`),
      ).toBe(true);
      const { path, expires, signature } = signedParts(uploaded.storage_url);
      const lifetime = Number(expires) - Date.now() / 1000;
      expect(lifetime).toBeGreaterThan(14 * 60);
      expect(lifetime).toBeLessThanOrEqual(15 * 60);

      const whole = await fetchSigned(path, { expires, signature }).expect(200);
      expect((whole.body as Buffer).equals(data)).toBe(true);
      expect(whole.headers).toMatchObject({
        'content-type': 'video/webm',
        'cross-origin-resource-policy': 'cross-origin',
        'x-content-type-options': 'nosniff',
        'cache-control': 'private, no-store',
      });
      const part = await fetchSigned(path, { expires, signature }).set('Range', 'bytes=10-19').expect(206);
      expect((part.body as Buffer).equals(data.subarray(10, 20))).toBe(true);

      // the link listed later is another fresh one for the same file
      const listed = await t.http().get(`${BASE}/${submission.id}/media`).set(bearer(a.adminTokens)).expect(200);
      expect(listed.body[0].storage_url).toEqual(signedMediaUrl(uploaded.media_file_id));
    });

    it('tampered, foreign-file, expired or missing signatures: 403 and no byte of any file', async () => {
      const submission = await submitInterview(t, a.candidateTokens);
      const mine = await upload(a.candidateTokens, submission.id, webm(3000));
      const other = await upload(b.candidateTokens, (await submitInterview(t, b.candidateTokens)).id, webm(3000));
      const signed = signedParts(mine.storage_url);
      const foreign = signedParts(other.storage_url);
      const flip = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
      const cases: Array<[string, Record<string, string>, string]> = [
        [signed.path, { expires: signed.expires, signature: flip(signed.signature) }, 'MEDIA_URL_INVALID'],
        [
          signed.path,
          { expires: String(Number(signed.expires) + 1), signature: signed.signature },
          'MEDIA_URL_INVALID',
        ],
        [
          signed.path,
          { expires: String(Number(signed.expires) + 86400 * 365), signature: signed.signature },
          'MEDIA_URL_INVALID',
        ],
        [signed.path, { expires: foreign.expires, signature: foreign.signature }, 'MEDIA_URL_INVALID'],
        [foreign.path, { expires: signed.expires, signature: signed.signature }, 'MEDIA_URL_INVALID'],
        [signed.path, { expires: signed.expires }, 'MEDIA_URL_INVALID'],
        [signed.path, {}, 'MEDIA_URL_INVALID'],
        [signed.path, { expires: '1e3', signature: signed.signature }, 'MEDIA_URL_INVALID'],
      ];
      for (const [path, query, code] of cases) {
        const res = await t.http().get(path).query(query);
        expect({ path, query, status: res.status, code: res.body.code }).toEqual({ path, query, status: 403, code });
        expect(res.headers['content-type']).toMatch(/^application\/json/);
      }
      // an expired link, signed correctly for a time in the past
      const { MediaUrlSigner } = await import('../../src/modules/submissions/media/media-url-signer');
      const expired = signedParts(t.app.get(MediaUrlSigner).url(mine.media_file_id, Date.now() - 16 * 60 * 1000));
      const late = await t
        .http()
        .get(expired.path)
        .query({ expires: expired.expires, signature: expired.signature })
        .expect(403);
      expect(late.body.code).toBe('MEDIA_URL_EXPIRED');
      // a valid link to a file deleted since: 404
      await t
        .http()
        .delete(`${BASE}/${submission.id}/media/${mine.media_file_id}`)
        .set(bearer(a.adminTokens))
        .expect(200);
      const gone = await t
        .http()
        .get(signed.path)
        .query({ expires: signed.expires, signature: signed.signature })
        .expect(404);
      expect(gone.body.code).toBe('MEDIA_NOT_FOUND');
    });
  });

  describe('delete', () => {
    it('admin deletes the row and the stored object; the other upload of the question stays; audited', async () => {
      const submission = await submitInterview(t, a.candidateTokens);
      const first = await upload(a.candidateTokens, submission.id);
      const second = await upload(a.candidateTokens, submission.id);
      const key = (await storageKeyOf(t.db, first.media_file_id))!;
      const otherKey = (await storageKeyOf(t.db, second.media_file_id))!;

      const res = await t
        .http()
        .delete(`${BASE}/${submission.id}/media/${first.media_file_id}`)
        .set(bearer(a.adminTokens))
        .expect(200);
      expect(res.body).toEqual({ message: 'Media file deleted', id: first.media_file_id });
      expect(await storageKeyOf(t.db, first.media_file_id)).toBeUndefined();
      const files = await filesUnder(root);
      expect(files).not.toContain(key);
      expect(files).toContain(otherKey);

      const [audit] = await auditRows(t.db, first.media_file_id, 'media.delete');
      expect(audit).toMatchObject({
        user_id: a.admin.id,
        tenant_id: a.tenant.id,
        resource_type: 'media_file',
        new_values: null,
      });
      expect(audit.old_values).toMatchObject({
        submission_id: submission.id,
        storage_key: key,
        file_name: 'Q1_video.webm',
      });

      const again = await t
        .http()
        .delete(`${BASE}/${submission.id}/media/${first.media_file_id}`)
        .set(bearer(a.adminTokens))
        .expect(404);
      expect(again.body.code).toBe('MEDIA_NOT_FOUND');
      await t
        .http()
        .delete(`${BASE}/${submission.id}/media/${second.media_file_id}`)
        .set(bearer(superTokens))
        .expect(200);
      expect(await filesUnder(root)).not.toContain(otherKey);
    });

    it('deleting the submission removes its stored files (and leaves other submissions alone)', async () => {
      const gone = await submitInterview(t, a.candidateTokens);
      const kept = await submitInterview(t, a.candidateTokens);
      await upload(a.candidateTokens, gone.id);
      await upload(a.candidateTokens, gone.id, webm(), { question_index: '1' });
      const keptMedia = await upload(a.candidateTokens, kept.id);
      const goneKeys = (await mediaRows(t, gone.id)).map((r) => r.storage_key as string);
      expect(await filesUnder(root)).toEqual(expect.arrayContaining(goneKeys));

      const res = await t.http().delete(`${BASE}/${gone.id}`).set(bearer(a.adminTokens)).expect(200);
      expect(res.body.media_files_deleted).toBe(2);
      const files = await filesUnder(root);
      for (const key of goneKeys) expect(files).not.toContain(key);
      expect(files).toContain(await storageKeyOf(t.db, keptMedia.media_file_id));
      expect(await mediaRows(t, gone.id)).toHaveLength(0);
    });
  });

  describe('access', () => {
    let submissionId: string;
    let mediaId: string;
    let routes: Array<[Method, string]>;

    beforeAll(async () => {
      submissionId = (await submitInterview(t, a.candidateTokens)).id;
      mediaId = (await upload(a.candidateTokens, submissionId)).media_file_id;
      routes = [
        ['post', `${BASE}/${submissionId}/media`],
        ['get', `${BASE}/${submissionId}/media`],
        ['get', `${BASE}/${submissionId}/media/${mediaId}/content`],
        ['delete', `${BASE}/${submissionId}/media/${mediaId}`],
      ];
    });

    const unchanged = async () => {
      expect(await storageKeyOf(t.db, mediaId)).toBeDefined();
      expect(await filesUnder(root)).toContain(await storageKeyOf(t.db, mediaId));
    };

    it('401 without a token on every route', async () => {
      for (const [method, path] of routes) {
        const res = await t.http()[method](path).expect(401);
        expect(res.headers['www-authenticate']).toBe('Bearer');
      }
      await unchanged();
    });

    it('403 for proctors on every route; 403 for candidates deleting, even their own media', async () => {
      for (const [method, path] of routes) {
        const res = await t.http()[method](path).set(bearer(a.proctorTokens)).expect(403);
        expect(res.body.code).toBe('INSUFFICIENT_ROLE');
      }
      const own = await t
        .http()
        .delete(`${BASE}/${submissionId}/media/${mediaId}`)
        .set(bearer(a.candidateTokens))
        .expect(403);
      expect(own.body.code).toBe('INSUFFICIENT_ROLE');
      await unchanged();
    });

    it("404 for another tenant's staff and another candidate on every read and delete; files and rows unchanged", async () => {
      const other = await createUser(t.db, { role: 'candidate', tenantId: a.tenant.id });
      const otherTokens = await loginAs(t, other);
      const before = await filesUnder(root);
      for (const tokens of [b.adminTokens, b.candidateTokens, otherTokens]) {
        for (const [method, path] of routes.slice(1)) {
          if (method === 'delete' && tokens !== b.adminTokens) continue; // candidates: 403 before any lookup
          const res = await t.http()[method](path).set(bearer(tokens));
          expect([res.status, res.body.code]).toEqual([404, 'SUBMISSION_NOT_FOUND']);
        }
      }
      expect(await filesUnder(root)).toEqual(before);
      await unchanged();
    });

    it('404 for a media id of another submission or unknown; 400 for malformed ids', async () => {
      const mine = await submitInterview(t, a.adminTokens);
      for (const [method, suffix] of [
        ['get', '/content'],
        ['delete', ''],
      ] as const) {
        for (const id of [mediaId, UNKNOWN_ID]) {
          const res = await t
            .http()
            [method](`${BASE}/${mine.id}/media/${id}${suffix}`)
            .set(bearer(a.adminTokens))
            .expect(404);
          expect(res.body.code).toBe('MEDIA_NOT_FOUND');
        }
      }
      for (const [method, path] of [
        ['get', `${BASE}/nope/media`],
        ['get', `${BASE}/${mine.id}/media/nope/content`],
        ['delete', `${BASE}/${mine.id}/media/nope`],
        ['delete', `${BASE}/nope/media/${mediaId}`],
      ] as const) {
        const res = await t.http()[method](path).set(bearer(a.adminTokens)).expect(400);
        expect(res.body.code).toBe('INVALID_ID');
      }
      await unchanged();
    });
  });

  it('every media route is in the OpenAPI document (multipart body, responses, errors)', async () => {
    const doc = (await t.http().get('/docs-json').expect(200)).body;
    const upload = doc.paths[`${BASE}/{id}/media`].post;
    expect(upload.requestBody.content['multipart/form-data'].schema.$ref).toMatch(/UploadMediaBody$/);
    expect(Object.keys(upload.responses)).toEqual(
      expect.arrayContaining(['201', '400', '401', '403', '404', '413', '415']),
    );
    expect(upload.responses['201'].content['application/json'].schema.$ref).toMatch(/MediaUploadResponse$/);
    const body = doc.components.schemas.UploadMediaBody;
    expect(body.required).toEqual(expect.arrayContaining(['file', 'question_index', 'file_type']));
    expect(body.properties.file).toMatchObject({ type: 'string', format: 'binary' });
    expect(doc.paths[`${BASE}/{id}/media`].get.responses['200'].content['application/json'].schema).toEqual({
      type: 'array',
      items: { $ref: '#/components/schemas/MediaFileResponse' },
    });
    const content = doc.paths[`${BASE}/{id}/media/{media_id}/content`].get;
    expect(Object.keys(content.responses)).toEqual(
      expect.arrayContaining(['200', '206', '302', '401', '403', '404', '416']),
    );
    expect(
      doc.paths[`${BASE}/{id}/media/{media_id}`].delete.responses['200'].content['application/json'].schema.$ref,
    ).toMatch(/MediaDeletedResponse$/);
  });
});
