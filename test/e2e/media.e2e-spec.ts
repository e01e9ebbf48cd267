import { readFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { MEDIA_HEADS, NON_MEDIA_HEADS, mediaBytes } from '../setup/media-fixtures';
import {
  filePart,
  filesUnder,
  frontendParts,
  mediaRows,
  multipartBody,
  MEDIA_BOUNDARY,
  postMedia,
  submitInterview,
  webm,
} from '../setup/media-upload';
import { bearer, createUser, loginAs, Tokens } from '../setup/factories';
import { auditRows, setupTwoTenants, Staff } from '../setup/fixtures';
import { createTestApp, TestApp } from '../setup/test-app';
import { ISO, pathOf, signedMediaUrl, UUID } from '../setup/matchers';

const MAX = 256 * 1024;
const UNKNOWN_ID = '6a1e0f52-3333-4333-8333-333333333333';

/** Uploads on local storage (MAX_FILE_SIZE = 256 KiB): streaming, checks, safe names, access. */
describe('Media uploads (local storage)', () => {
  let t: TestApp;
  let a: Staff;
  let b: Staff;
  let superTokens: Tokens;
  let root: string;

  const stored = () => filesUnder(root);

  beforeAll(async () => {
    t = await createTestApp({ MAX_FILE_SIZE: String(MAX) });
    root = t.config.storage.path;
    ({ a, b, superTokens } = await setupTwoTenants(t, { max_test_attempts: 100 }));
  });
  afterAll(() => t.close());

  it('uses a temporary storage folder of its own, not ./uploads', () => {
    expect(root).toMatch(/trajectorie-uploads-/);
  });

  it('files the object under its question and follow-up when those fields come before the file', async () => {
    const submission = await submitInterview(t, a.candidateTokens);
    const [file, ...fields] = frontendParts(filePart(webm()), {
      question_index: '3',
      follow_up_sequence: '2',
      is_follow_up: 'true',
    });
    const res = await postMedia(t, a.candidateTokens, submission.id, [...fields, file]).expect(201);
    expect(res.body).toMatchObject({ question_index: 3, follow_up_sequence: 2, is_follow_up: true });
    const [row] = await t.db.query(`SELECT storage_key FROM media_files WHERE id = $1`, [res.body.media_file_id]);
    expect(row.storage_key).toMatch(
      new RegExp(`^tenants/${a.tenant.id}/submissions/${submission.id}/q3/f2/[0-9a-f]{16}\\.webm$`),
    );
    expect(await stored()).toContain(row.storage_key);
  });

  it('201: streams the file under a server key, stores the row and audits it (codec parameters accepted)', async () => {
    const submission = await submitInterview(t, a.candidateTokens);
    const data = webm(100_000);
    const res = await postMedia(
      t,
      a.candidateTokens,
      submission.id,
      frontendParts(filePart(data, 'video/webm;codecs=vp9,opus'), { some_future_field: 'ignored' }),
    ).expect(201);
    const mediaId = res.body.media_file_id as string;
    expect(res.body).toEqual({
      message: 'Media uploaded',
      media_file_id: UUID,
      storage_url: signedMediaUrl(mediaId),
      file_size: data.length,
      file_name: 'Q1_video.webm',
      file_type: 'video',
      mime_type: 'video/webm',
      question_index: 0,
      scenario_id: 'scenario-1',
      is_follow_up: false,
      follow_up_sequence: 0,
      created_at: ISO,
    });

    const [row] = await mediaRows(t, submission.id);
    expect(row).toMatchObject({
      id: mediaId,
      tenant_id: a.tenant.id,
      storage_provider: 'local',
      file_name: 'Q1_video.webm',
      mime_type: 'video/webm',
      file_size: String(data.length),
    });
    const key = row.storage_key as string;
    expect(key).toMatch(new RegExp(`^tenants/${a.tenant.id}/submissions/${submission.id}/[0-9a-f]{16}\\.webm$`));
    expect(await readFile(join(root, key))).toEqual(data);
    expect(await stored()).toContain(key);

    const [audit] = await auditRows(t.db, mediaId, 'media.upload');
    expect(audit).toMatchObject({
      user_id: a.candidate.id,
      tenant_id: a.tenant.id,
      resource_type: 'media_file',
      old_values: null,
    });
    expect(audit.new_values).toMatchObject({ submission_id: submission.id, file_size: data.length, storage_key: key });
  });

  it('reads fields in any order; follow-up fields; audio; exactly MAX_FILE_SIZE is accepted', async () => {
    const submission = await submitInterview(t, a.candidateTokens);
    const ogg = mediaBytes(MEDIA_HEADS.ogg, MAX);
    const res = await postMedia(t, a.candidateTokens, submission.id, [
      { name: 'is_follow_up', value: '1' },
      filePart(ogg, 'audio/ogg;codecs=opus', 'Q2_audio.ogg'),
      { name: 'follow_up_sequence', value: '2' },
      { name: 'question_index', value: '1' },
      { name: 'file_type', value: 'audio' },
    ]).expect(201);
    expect(res.body).toMatchObject({
      file_type: 'audio',
      mime_type: 'audio/ogg',
      file_size: MAX,
      question_index: 1,
      scenario_id: null,
      is_follow_up: true,
      follow_up_sequence: 2,
    });
    // A part type the browser could not name (octet-stream) leaves the decision to the content.
    const plain = await postMedia(
      t,
      a.candidateTokens,
      submission.id,
      frontendParts(filePart(webm(), 'application/octet-stream')),
    );
    expect(plain.status).toBe(201);
  });

  it('admins upload to their tenant, superadmins anywhere; the row keeps the submission tenant', async () => {
    const submission = await submitInterview(t, a.candidateTokens);
    await postMedia(t, a.adminTokens, submission.id, frontendParts(filePart(webm()))).expect(201);
    await postMedia(t, superTokens, submission.id, frontendParts(filePart(webm()))).expect(201);
    const rows = await mediaRows(t, submission.id);
    expect(rows.map((r) => r.tenant_id)).toEqual([a.tenant.id, a.tenant.id]);
  });

  it('413 over MAX_FILE_SIZE: nothing stored (no file, no partial, no row)', async () => {
    const submission = await submitInterview(t, a.candidateTokens);
    const before = await stored();
    const res = await postMedia(t, a.candidateTokens, submission.id, frontendParts(filePart(webm(MAX + 1))));
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ status_code: 413, code: 'PAYLOAD_TOO_LARGE' });
    expect(await stored()).toEqual(before);
    expect(await mediaRows(t, submission.id)).toHaveLength(0);
  });

  it.each([
    ['PNG bytes declared as webm', NON_MEDIA_HEADS.png, 'video/webm', 'answer.webm'],
    ['HTML bytes declared as webm', NON_MEDIA_HEADS.html, 'video/webm', 'Q1_video.webm'],
    ['HTML bytes declared as text/html', NON_MEDIA_HEADS.html, 'text/html', 'x.html'],
    ['mp4 bytes declared as webm', MEDIA_HEADS.mp4, 'video/webm', 'Q1_video.webm'],
    ['webm bytes declared as image/png', MEDIA_HEADS.webm, 'image/png', 'a.png'],
  ])('415 for %s: nothing stored', async (_label, head, type, filename) => {
    const submission = await submitInterview(t, a.candidateTokens);
    const before = await stored();
    const res = await postMedia(
      t,
      a.candidateTokens,
      submission.id,
      frontendParts(filePart(mediaBytes(head, 8192), type, filename)),
    );
    expect(res.status).toBe(415);
    expect(res.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(await stored()).toEqual(before);
    expect(await mediaRows(t, submission.id)).toHaveLength(0);
  });

  it('415 when file_type arrives after the file and does not fit it: the stored object is deleted', async () => {
    const submission = await submitInterview(t, a.candidateTokens);
    const before = await stored();
    const res = await postMedia(t, a.candidateTokens, submission.id, [
      filePart(mediaBytes(MEDIA_HEADS.wav, 8192), 'audio/wav', 'answer.wav'),
      { name: 'question_index', value: '0' },
      { name: 'file_type', value: 'video' },
    ]);
    expect(res.status).toBe(415);
    expect(await stored()).toEqual(before);
    expect(await mediaRows(t, submission.id)).toHaveLength(0);
  });

  it('hostile file names are display names only: the key never contains them, the name is sanitised', async () => {
    const submission = await submitInterview(t, a.candidateTokens);
    const long = `${'a'.repeat(296)}.webm`;
    const cases: Array<[string | undefined, string | undefined, (name: string) => void]> = [
      ['../../etc/passwd', undefined, (name) => expect(name).toBe('passwd')],
      [undefined, `; filename*=UTF-8''evil%00name%0D%0A.webm`, (name) => expect(name).toBe('evilname.webm')],
      [long, undefined, (name) => expect(name).toBe(`${'a'.repeat(195)}.webm`)],
      ['..\\..\\windows\\win.ini', undefined, (name) => expect(name).toBe('win.ini')],
      ['.hidden.webm', undefined, (name) => expect(name).toBe('hidden.webm')],
      [
        undefined,
        `; filename*=UTF-8''r%C3%A9ponse%20%22x%22%E2%80%AEmbew.exe`,
        (name) => expect(name).toBe('réponse "x"mbew.exe'),
      ],
    ];
    for (const [filename, disposition, check] of cases) {
      const file = { ...filePart(webm(), 'video/webm', filename), ...(disposition ? { disposition } : {}) };
      const res = await postMedia(t, a.candidateTokens, submission.id, frontendParts(file)).expect(201);
      check(res.body.file_name);
      const [row] = await t.db.query(`SELECT storage_key, file_name FROM media_files WHERE id = $1`, [
        res.body.media_file_id,
      ]);
      expect(row.file_name).toBe(res.body.file_name);
      expect(row.storage_key).toMatch(/^tenants\/[0-9a-f-]{36}\/submissions\/[0-9a-f-]{36}\/[0-9a-f]{16}\.webm$/);
      const download = await t.http().get(pathOf(res.body.storage_url)).expect(200);
      const disposition2 = download.headers['content-disposition'] as string;
      expect(disposition2).toMatch(/^attachment; filename="[\x20-\x7e]*"; filename\*=UTF-8''[A-Za-z0-9%._~!-]*$/);
      expect(disposition2).not.toMatch(/[\r\n\0]|\.\.\//);
    }
    expect((await stored()).every((path) => !/passwd|win\.ini|evil|a{20}|hidden|exe/.test(path))).toBe(true);
  });

  it('a file name that sanitises to nothing falls back to Q{n}_{type}{ext}; a part without one is no file (400)', async () => {
    const submission = await submitInterview(t, a.candidateTokens);
    const mp4 = mediaBytes(MEDIA_HEADS.mp4, 4096);
    const res = await postMedia(
      t,
      a.candidateTokens,
      submission.id,
      frontendParts(filePart(mp4, 'video/mp4', '../'), { question_index: '4' }),
    );
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ file_name: 'Q5_video.mp4', mime_type: 'video/mp4' });

    const unnamed = { ...filePart(mp4, 'video/mp4'), disposition: '' };
    const refused = await postMedia(t, a.candidateTokens, submission.id, frontendParts(unnamed)).expect(400);
    expect(refused.body.errors).toEqual([{ field: 'file', message: 'file is required' }]);
  });

  it('a client that disconnects mid-upload leaves nothing behind (no partial file, no row)', async () => {
    const submission = await submitInterview(t, a.candidateTokens);
    const before = await stored();
    const server = t.app.getHttpServer();
    if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const body = multipartBody(frontendParts(filePart(webm(MAX - 1024))));
    const req = httpRequest({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: `/api/v1/submissions/${submission.id}/media`,
      headers: {
        ...bearer(a.candidateTokens),
        'Content-Type': `multipart/form-data; boundary=${MEDIA_BOUNDARY}`,
        'Content-Length': String(body.length),
      },
    });
    req.on('error', () => undefined);
    req.write(body.subarray(0, 100_000));
    // Wait until the upload has reached storage (a partial file exists), then hang up.
    for (let i = 0; i < 100 && (await stored()).length === before.length; i++)
      await new Promise((r) => setTimeout(r, 10));
    expect((await stored()).filter((path) => !before.includes(path))).toEqual([expect.stringMatching(/\.partial-/)]);
    req.destroy();
    let after = await stored();
    for (let i = 0; i < 100 && after.length !== before.length; i++) {
      await new Promise((r) => setTimeout(r, 20));
      after = await stored();
    }
    expect(after).toEqual(before);
    expect(await mediaRows(t, submission.id)).toHaveLength(0);
  });

  it('a second upload for the same question is kept next to the first (new row, new key)', async () => {
    const submission = await submitInterview(t, a.candidateTokens);
    const first = webm(5000);
    const second = webm(6000);
    const r1 = await postMedia(t, a.candidateTokens, submission.id, frontendParts(filePart(first))).expect(201);
    const r2 = await postMedia(t, a.candidateTokens, submission.id, frontendParts(filePart(second))).expect(201);
    expect(r2.body.media_file_id).not.toBe(r1.body.media_file_id);
    const rows = await mediaRows(t, submission.id);
    expect(rows).toHaveLength(2);
    expect(rows[0].storage_key).not.toBe(rows[1].storage_key);
    expect(await readFile(join(root, rows[0].storage_key as string))).toEqual(first);
    expect(await readFile(join(root, rows[1].storage_key as string))).toEqual(second);
  });

  it('400 VALIDATION_ERROR with every field problem at once; nothing stored', async () => {
    const submission = await submitInterview(t, a.candidateTokens);
    const before = await stored();
    const bad = await postMedia(
      t,
      a.candidateTokens,
      submission.id,
      frontendParts(filePart(webm()), {
        question_index: '-1',
        file_type: 'image',
        scenario_id: 's'.repeat(101),
        is_follow_up: 'maybe',
        follow_up_sequence: '1.5',
      }),
    ).expect(400);
    expect(bad.body.code).toBe('VALIDATION_ERROR');
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual([
      'question_index',
      'file_type',
      'scenario_id',
      'is_follow_up',
      'follow_up_sequence',
    ]);
    const missing = await postMedia(t, a.candidateTokens, submission.id, [
      { name: 'question_index', value: '0' },
    ]).expect(400);
    expect(missing.body.errors.map((e: { field: string }) => e.field)).toEqual(['file', 'file_type']);
    const tooBig = await postMedia(
      t,
      a.candidateTokens,
      submission.id,
      frontendParts(filePart(webm()), { question_index: '1000' }),
    );
    expect(tooBig.status).toBe(400);

    const twoFiles = await postMedia(t, a.candidateTokens, submission.id, [
      filePart(webm()),
      ...frontendParts(filePart(webm())),
    ]);
    expect(twoFiles.status).toBe(400);
    expect(twoFiles.body.code).toBe('INVALID_MULTIPART');
    const json = await t
      .http()
      .post(`/api/v1/submissions/${submission.id}/media`)
      .set(bearer(a.candidateTokens))
      .send({ question_index: 0, file_type: 'video' })
      .expect(400);
    expect(json.body.code).toBe('MULTIPART_REQUIRED');
    expect(await stored()).toEqual(before);
    expect(await mediaRows(t, submission.id)).toHaveLength(0);
  });

  describe('access', () => {
    it('401 without a token; 403 for proctors; nothing stored', async () => {
      const submission = await submitInterview(t, a.candidateTokens);
      const before = await stored();
      const anonymous = await postMedia(t, null, submission.id, frontendParts(filePart(webm())));
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers['www-authenticate']).toBe('Bearer');
      const proctor = await postMedia(t, a.proctorTokens, submission.id, frontendParts(filePart(webm())));
      expect(proctor.status).toBe(403);
      expect(proctor.body.code).toBe('INSUFFICIENT_ROLE');
      expect(await stored()).toEqual(before);
      expect(await mediaRows(t, submission.id)).toHaveLength(0);
    });

    it("404 for another tenant's submission and another candidate's; the body is never stored", async () => {
      const foreign = await submitInterview(t, b.candidateTokens);
      await postMedia(t, b.candidateTokens, foreign.id, frontendParts(filePart(webm()))).expect(201);
      const foreignRows = await mediaRows(t, foreign.id);
      const mine = await submitInterview(t, a.candidateTokens);
      const other = await createUser(t.db, { role: 'candidate', tenantId: a.tenant.id });
      const otherTokens = await loginAs(t, other);
      const before = await stored();

      for (const [tokens, id] of [
        [a.adminTokens, foreign.id],
        [a.candidateTokens, foreign.id],
        [otherTokens, mine.id],
        [a.adminTokens, UNKNOWN_ID],
      ] as const) {
        const res = await postMedia(t, tokens, id, frontendParts(filePart(webm())));
        expect(res.status).toBe(404);
        expect(res.body.code).toBe('SUBMISSION_NOT_FOUND');
      }
      expect(await stored()).toEqual(before);
      expect(await mediaRows(t, foreign.id)).toEqual(foreignRows);
      expect(await mediaRows(t, mine.id)).toHaveLength(0);
    });

    it('400 for a malformed submission id', async () => {
      const res = await postMedia(t, a.adminTokens, 'not-a-uuid', frontendParts(filePart(webm())));
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('INVALID_ID');
    });

    it('a quoted boundary and extra Content-Type parameters are accepted', async () => {
      // Guards the wiring: no global body parser consumes multipart before the route reads it.
      const submission = await submitInterview(t, a.adminTokens);
      const res = await t
        .http()
        .post(`/api/v1/submissions/${submission.id}/media`)
        .set(bearer(a.adminTokens))
        .set('Content-Type', `multipart/form-data; charset=utf-8; boundary="${MEDIA_BOUNDARY}"`)
        .send(multipartBody(frontendParts(filePart(webm(1234)))))
        .expect(201);
      expect(res.body.file_size).toBe(1234);
    });
  });
});
