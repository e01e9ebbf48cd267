import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { Repository } from 'typeorm';
import { AuditService } from '../../src/modules/audit/audit.service';
import { MediaFileEntity } from '../../src/modules/submissions/entities/media-file.entity';
import { bearer, createTenantWithStaff, createUser, loginAs } from '../setup/factories';
import { pathOf, signedMediaUrl, UUID } from '../setup/matchers';
import { MEDIA_HEADS, NON_MEDIA_HEADS } from '../setup/media-fixtures';
import { binaryParser, filesUnder } from '../setup/media-upload';
import { S3TestServer, startS3TestServer } from '../setup/s3-test-server';
import { Staff } from '../setup/fixtures';
import { createTestApp, TestApp } from '../setup/test-app';

const BASE = '/api/v1/submissions';
const MIB = 1024 * 1024;

/** A recording: a WebM head then random bytes (so every recording is distinct), of exactly `size` bytes. */
function recording(size: number, head: Buffer = MEDIA_HEADS.webm): Buffer {
  const bytes = randomBytes(size);
  head.copy(bytes, 0, 0, Math.min(head.length, size));
  return bytes;
}

/** As the first seed's pages write it: FileReader.readAsDataURL of MediaRecorder's blob (codecs unquoted). */
const dataUri = (bytes: Buffer, type = 'video/webm;codecs=vp9,opus') =>
  `data:${type};base64,${bytes.toString('base64')}`;

const SITUATION = 'A customer is angry about a late delivery.';

/** The first seed's SJT conversation: a scenario, its generated follow-up, and a second scenario. */
function interview(recordings: (string | null | undefined)[], field: 'videoDataUri' | 'audioDataUri' = 'videoDataUri') {
  const entries: Record<string, unknown>[] = [
    {
      question: `Situation: ${SITUATION}\n\nQuestion: What do you do?`,
      answer: 'I listen, apologise and offer a concrete fix.',
      situation: SITUATION,
      bestResponseRationale: 'Ownership and empathy',
      worstResponseRationale: 'Blaming logistics',
      assessedCompetency: 'Customer Focus, Ownership',
      languageCode: 'en',
      scenario_id: 'scenario-1',
    },
    {
      question: '1.a) And if the customer refuses the fix?',
      answer: 'I escalate to my manager with a proposal.',
      situation: SITUATION,
      followUpGenerated: true,
      languageCode: 'en',
    },
    {
      question: 'Situation: A colleague misses deadlines.\n\nQuestion: What do you do?',
      answer: 'I talk to them privately first.',
      situation: 'A colleague misses deadlines.',
      assessedCompetency: 'Teamwork',
      languageCode: 'en',
    },
    { question: 'Anything else?', answer: null },
  ];
  recordings.forEach((uri, index) => {
    if (uri !== undefined) entries[index][field] = uri;
  });
  return {
    candidate_name: 'Ada Lovelace',
    candidate_id: 'C-1',
    test_type: 'SJT',
    candidate_language: 'en',
    ui_language: 'en',
    conversation_history: entries,
  };
}

describe.each([
  ['local disk', false],
  ['S3 (s3rver)', true],
])('Recordings embedded in a submission as data URIs, on %s', (_name, onS3) => {
  let t: TestApp;
  let s3: S3TestServer | undefined;
  let a: Staff;

  /** Every stored object: files under STORAGE_PATH, or keys in the bucket. */
  const storedObjects = async (): Promise<string[]> =>
    s3 ? (await s3.listKeys()).sort() : filesUnder(t.config.storage.path);
  const count = async (sql: string, params: unknown[]) => Number((await t.db.query(sql, params))[0].count);
  const submissionsOf = (userId: string) => count('SELECT count(*) FROM submissions WHERE user_id = $1', [userId]);
  const mediaRowsOf = (tenantId: string) => count('SELECT count(*) FROM media_files WHERE tenant_id = $1', [tenantId]);

  async function download(url: string): Promise<Buffer> {
    if (onS3) {
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
      const res = await fetch(url);
      expect(res.status).toBe(200);
      return Buffer.from(await res.arrayBuffer());
    }
    // what a <video src> does: no token, the signed link alone
    const res = await t.http().get(pathOf(url)).buffer(true).parse(binaryParser).expect(200);
    return res.body as Buffer;
  }

  /** A fresh candidate of tenant `a` (its own attempt allowance). */
  async function newCandidate() {
    const user = await createUser(t.db, { role: 'candidate', tenantId: a.tenant.id });
    return { user, tokens: await loginAs(t, user) };
  }

  beforeAll(async () => {
    s3 = onS3 ? await startS3TestServer() : undefined;
    // Small enough that a body over it is cheap to send; the interview below (~28 MB) fits.
    t = await createTestApp({ ...(s3 ? s3.env : {}), SUBMISSION_MAX_BODY_BYTES: String(32 * MIB) });
    a = await createTenantWithStaff(t, { max_test_attempts: 5 });
  });
  afterAll(async () => {
    await t?.close();
    await s3?.close();
  });

  it('201 for a real interview with three recordings (> 20 MB): media files of the submission, URLs in every response, a small row', async () => {
    const { user, tokens } = await newCandidate();
    const videos = [recording(7_500_000), recording(7_000_000), recording(6_500_000)];
    const body = interview(videos.map((v) => dataUri(v)));
    const json = JSON.stringify(body);
    expect(videos.reduce((sum, v) => sum + v.length, 0)).toBeGreaterThan(20_000_000);
    expect(json.length).toBeGreaterThan(27_000_000);

    const created = await t
      .http()
      .post(BASE)
      .set(bearer(tokens))
      .set('Content-Type', 'application/json')
      .send(json)
      .expect(201);
    const submission = created.body;

    // Each recording is a media row of the submission, on the entry's question index.
    const rows: MediaFileEntity[] = await t.db.query(
      'SELECT * FROM media_files WHERE submission_id = $1 ORDER BY question_index',
      [submission.id],
    );
    expect(
      rows.map((m) => [
        m.question_index,
        m.file_type,
        m.mime_type,
        Number(m.file_size),
        m.is_follow_up,
        m.follow_up_sequence,
        m.scenario_id,
      ]),
    ).toEqual([
      [0, 'video', 'video/webm', videos[0].length, false, 0, 'scenario-1'],
      [1, 'video', 'video/webm', videos[1].length, true, 1, null],
      [2, 'video', 'video/webm', videos[2].length, false, 0, null],
    ]);
    for (const row of rows) {
      expect(row).toMatchObject({
        tenant_id: a.tenant.id,
        storage_provider: onS3 ? 's3' : 'local',
        file_name: `Q${row.question_index + 1}_video.webm`,
      });
      expect(row.storage_key).toMatch(
        new RegExp(
          `^tenants/${a.tenant.id}/submissions/${submission.id}/q${row.question_index}/f\\d+/[0-9a-f]{16}\\.webm$`,
        ),
      );
    }
    expect((await storedObjects()).filter((key) => key.includes(submission.id))).toHaveLength(3);

    // The stored row keeps a reference only: small.
    const [stored] = await t.db.query(
      `SELECT conversation_history, pg_column_size(conversation_history) AS size, length(conversation_history::text) AS chars FROM submissions WHERE id = $1`,
      [submission.id],
    );
    expect(Number(stored.chars)).toBeLessThan(4_000);
    expect(Number(stored.size)).toBeLessThan(4_000);
    expect(stored.conversation_history.map((e: { videoDataUri?: unknown }) => e.videoDataUri)).toEqual([
      ...rows.map((m) => `media-file:${m.id}`),
      undefined,
    ]);

    // Every rendering of the submission gives each entry its file's fresh download URL; the rest is as sent.
    const expectRendered = (rendered: { id: string; conversation_history: Record<string, unknown>[] }) => {
      expect(rendered.id).toBe(submission.id);
      rendered.conversation_history.forEach((entry, index) => {
        const { videoDataUri, ...rest } = entry;
        const { videoDataUri: _sent, ...sentRest } = body.conversation_history[index];
        expect(rest).toEqual(sentRest);
        if (index === 3) expect(videoDataUri).toBeUndefined();
        else if (onS3) expect(videoDataUri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/.*X-Amz-Signature=/);
        else expect(videoDataUri).toEqual(signedMediaUrl(rows[index].id));
      });
    };
    expectRendered(submission);
    const got = await t.http().get(`${BASE}/${submission.id}`).set(bearer(a.adminTokens)).expect(200);
    expectRendered(got.body);
    const listed = await t.http().get(`${BASE}?user_id=${user.id}`).set(bearer(a.adminTokens)).expect(200);
    expect(listed.body).toHaveLength(1);
    expectRendered(listed.body[0]);
    const latest = await t.http().get(`${BASE}/user/${user.id}/latest/SJT`).set(bearer(tokens)).expect(200);
    expectRendered(latest.body);
    const updated = await t
      .http()
      .put(`${BASE}/${submission.id}`)
      .set(bearer(a.adminTokens))
      .send({ status: 'analyzing' })
      .expect(200);
    expectRendered(updated.body);

    // The same URL the media list gives, and the exact bytes behind it.
    const media = await t.http().get(`${BASE}/${submission.id}/media`).set(bearer(a.adminTokens)).expect(200);
    expect(media.body.map((m: { id: string }) => m.id)).toEqual(rows.map((m) => m.id));
    for (const [index, entry] of (got.body.conversation_history as { videoDataUri: string }[]).slice(0, 3).entries()) {
      expect((await download(entry.videoDataUri)).equals(videos[index])).toBe(true);
      if (!onS3) expect(entry.videoDataUri).toEqual(signedMediaUrl(media.body[index].id));
    }

    // Audited like uploads: the submission and each file.
    const actions = await t.db.query(
      `SELECT action, resource_id FROM audit_logs WHERE resource_id = $1 OR resource_id = ANY($2)`,
      [submission.id, rows.map((m) => m.id)],
    );
    expect(actions.map((r: { action: string }) => r.action).sort()).toEqual([
      'media.upload',
      'media.upload',
      'media.upload',
      'submission.create',
      'submission.update',
    ]);

    // Deleting the submission removes its files too.
    await t.http().delete(`${BASE}/${submission.id}`).set(bearer(a.adminTokens)).expect(200);
    expect((await storedObjects()).filter((key) => key.includes(submission.id))).toEqual([]);
  });

  it('audio answers, gzip bodies and Chrome-style data URIs; a list renders many submissions with one media query', async () => {
    const { user, tokens } = await newCandidate();
    const audio = recording(400_000, MEDIA_HEADS.ogg);
    const body = interview([dataUri(audio, 'audio/ogg;codecs=opus')], 'audioDataUri');
    const gz = gzipSync(Buffer.from(JSON.stringify(body)));
    const created = await t
      .http()
      .post(`${BASE}/`)
      .set(bearer(tokens))
      .set('Content-Type', 'application/json; charset=utf-8')
      .set('Content-Encoding', 'gzip')
      .serialize((raw: Buffer) => raw as unknown as string) // sent as is (superagent would JSON-encode a Buffer)
      .send(gz)
      .expect(201);
    const [row] = await t.db.query('SELECT * FROM media_files WHERE submission_id = $1', [created.body.id]);
    expect(row).toMatchObject({
      question_index: 0,
      file_type: 'audio',
      mime_type: 'audio/ogg',
      file_name: 'Q1_audio.ogg',
    });
    expect((await download(created.body.conversation_history[0].audioDataUri)).equals(audio)).toBe(true);

    // Three more small submissions with a recording each, then one list: one query for all their media.
    for (let i = 0; i < 3; i += 1) {
      await t
        .http()
        .post(BASE)
        .set(bearer(tokens))
        .send(interview([dataUri(recording(5_000 + i))]))
        .expect(201);
    }
    const find = jest.spyOn(Repository.prototype, 'find');
    try {
      const listed = await t.http().get(`${BASE}?user_id=${user.id}`).set(bearer(a.adminTokens)).expect(200);
      expect(listed.body).toHaveLength(4);
      for (const s of listed.body) {
        const entry = s.conversation_history[0];
        expect(entry.videoDataUri ?? entry.audioDataUri).toMatch(/^http/);
      }
      const mediaQueries = find.mock.contexts.filter(
        (repo) => (repo as Repository<object>).metadata.target === MediaFileEntity,
      );
      expect(mediaQueries).toHaveLength(1);
    } finally {
      find.mockRestore();
    }
  });

  it("a client-written reference resolves to nothing: another submission's file is never linked", async () => {
    const { tokens } = await newCandidate();
    const first = await t
      .http()
      .post(BASE)
      .set(bearer(tokens))
      .send(interview([dataUri(recording(10_000))]))
      .expect(201);
    const [theirs] = await t.db.query('SELECT id FROM media_files WHERE submission_id = $1', [first.body.id]);
    const forged = await t
      .http()
      .post(BASE)
      .set(bearer(a.adminTokens))
      .send(interview([`media-file:${theirs.id}`, `MEDIA-FILE:${theirs.id}`, 'https://example.com/answer.webm']))
      .expect(201);
    expect(forged.body.conversation_history.slice(0, 3).map((e: { videoDataUri: unknown }) => e.videoDataUri)).toEqual([
      null,
      null,
      'https://example.com/answer.webm',
    ]);
    const [stored] = await t.db.query('SELECT conversation_history FROM submissions WHERE id = $1', [forged.body.id]);
    expect(stored.conversation_history[0].videoDataUri).toBeNull();
    // Even a reference written into the row directly only resolves against the submission's own files.
    await t.db.query(
      `UPDATE submissions SET conversation_history = jsonb_set(conversation_history, '{0,videoDataUri}', to_jsonb($2::text)) WHERE id = $1`,
      [forged.body.id, `media-file:${theirs.id}`],
    );
    const got = await t.http().get(`${BASE}/${forged.body.id}`).set(bearer(a.adminTokens)).expect(200);
    expect(got.body.conversation_history[0].videoDataUri).toBeNull();
  });

  it('400 naming the entry for a bad data URI (not base64, no type, empty, not a type); nothing stored', async () => {
    const { user, tokens } = await newCandidate();
    const before = await storedObjects();
    const good = dataUri(recording(300_000)); // the body goes through the worker
    const bad: [string, string][] = [
      [`data:video/webm;base64,${'A'.repeat(1000)}*${'A'.repeat(3)}`, 'not valid base64'],
      ['data:video/webm;base64,QUJD\nREVG', 'not valid base64'],
      ['data:video/webm;base64,QUJDR', 'not valid base64'],
      ['data:;base64,QUJD', 'no media type'],
      ['data:video/webm;base64,', 'empty'],
      ['data:video/webm,QUJD', 'base64 data URI'],
      ['data:webm;base64,QUJD', 'not a type/subtype'],
    ];
    for (const [uri, message] of bad) {
      const res = await t
        .http()
        .post(BASE)
        .set(bearer(tokens))
        .send(interview([good, uri]))
        .expect(400);
      expect(res.body).toMatchObject({
        status_code: 400,
        code: 'INVALID_DATA_URI',
        detail: expect.stringContaining('conversation_history[1].videoDataUri'),
        errors: [{ field: 'conversation_history[1].videoDataUri', message: expect.stringContaining(message) }],
      });
    }
    // Malformed JSON is the usual 400, whichever thread parsed it.
    for (const text of ['{"candidate_name":', `{"candidate_name":"${'x'.repeat(400_000)}`, 'null']) {
      const res = await t
        .http()
        .post(BASE)
        .set(bearer(tokens))
        .set('Content-Type', 'application/json')
        .send(text)
        .expect(400);
      expect(res.body.code).toBe('MALFORMED_JSON');
    }
    expect(await submissionsOf(user.id)).toBe(0);
    expect(await storedObjects()).toEqual(before);
  });

  it('415 naming the entry for PNG bytes in a videoDataUri, or a declared type the content contradicts; nothing stored', async () => {
    const { user, tokens } = await newCandidate();
    const before = await storedObjects();
    const rowsBefore = await mediaRowsOf(a.tenant.id);
    const cases: [string, string][] = [
      [dataUri(recording(200_000, NON_MEDIA_HEADS.png), 'video/webm'), 'not a supported video or audio format'],
      [dataUri(recording(200_000, NON_MEDIA_HEADS.png), 'image/png'), 'not a supported video or audio format'],
      [dataUri(recording(200_000), 'video/mp4'), 'does not match the file content'],
      [dataUri(recording(200_000), 'text/html'), 'not an accepted media type'],
    ];
    for (const [uri, message] of cases) {
      const res = await t
        .http()
        .post(BASE)
        .set(bearer(tokens))
        .send(interview([dataUri(recording(100_000)), null, uri]))
        .expect(415);
      expect(res.body).toMatchObject({
        status_code: 415,
        code: 'UNSUPPORTED_MEDIA_TYPE',
        detail: expect.stringContaining('conversation_history[2].videoDataUri'),
        errors: [{ field: 'conversation_history[2].videoDataUri', message: expect.stringContaining(message) }],
      });
    }
    // An audio-only container in a videoDataUri is refused the same way.
    const oggAsVideo = await t
      .http()
      .post(BASE)
      .set(bearer(tokens))
      .send(interview([dataUri(recording(1000, MEDIA_HEADS.wav), 'audio/wav')]))
      .expect(415);
    expect(oggAsVideo.body.errors[0].field).toBe('conversation_history[0].videoDataUri');
    expect(await submissionsOf(user.id)).toBe(0);
    expect(await mediaRowsOf(a.tenant.id)).toBe(rowsBefore);
    expect(await storedObjects()).toEqual(before);
  });

  it('413 for a recording over MAX_FILE_SIZE and for a body over SUBMISSION_MAX_BODY_BYTES; a 2 MB body elsewhere is still 413; nothing stored', async () => {
    const { user, tokens } = await newCandidate();
    const before = await storedObjects();
    const tooBig = await t
      .http()
      .post(BASE)
      .set(bearer(tokens))
      .send(interview([dataUri(recording(1000)), dataUri(recording(t.config.storage.maxFileSize + 1))]))
      .expect(413);
    expect(tooBig.body).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      errors: [{ field: 'conversation_history[1].videoDataUri' }],
    });

    const huge = JSON.stringify(interview([0, 1, 2, 3].map(() => dataUri(recording(6_500_000)))));
    expect(huge.length).toBeGreaterThan(32 * MIB);
    const over = await t
      .http()
      .post(BASE)
      .set(bearer(tokens))
      .set('Content-Type', 'application/json')
      .send(huge)
      .expect(413);
    expect(over.body).toMatchObject({
      status_code: 413,
      code: 'PAYLOAD_TOO_LARGE',
      path: BASE,
      request_id: expect.any(String),
    });

    // Counted while streaming, after decoding: a small gzip body that inflates past the limit (a zip bomb).
    const bomb = gzipSync(Buffer.from(JSON.stringify({ ...interview([]), candidate_name: 'x'.repeat(33 * MIB) })));
    expect(bomb.length).toBeLessThan(MIB);
    const inflated = await t
      .http()
      .post(BASE)
      .set(bearer(tokens))
      .set('Content-Type', 'application/json')
      .set('Content-Encoding', 'gzip')
      .serialize((raw: Buffer) => raw as unknown as string)
      .send(bomb)
      .expect(413);
    expect(inflated.body.code).toBe('PAYLOAD_TOO_LARGE');
    // A corrupt gzip body, or an unknown encoding, is the client's error.
    const corrupt = await t
      .http()
      .post(BASE)
      .set(bearer(tokens))
      .set('Content-Type', 'application/json')
      .set('Content-Encoding', 'gzip')
      .serialize((raw: Buffer) => raw as unknown as string)
      .send(Buffer.concat([bomb.subarray(0, 100), Buffer.alloc(100, 1)]));
    expect(corrupt.status).toBe(400);
    const unknown = await t.http().post(BASE).set(bearer(tokens)).set('Content-Encoding', 'zz').send(interview([]));
    expect(unknown.status).toBe(415);

    // Apart from recordings, a submission is bounded like any JSON body.
    const text = await t
      .http()
      .post(BASE)
      .set(bearer(tokens))
      .send(interview([dataUri(recording(1000))]));
    expect(text.status).toBe(201);
    const wordy = interview([dataUri(recording(3_000_000))]);
    wordy.conversation_history[3].answer = 'x'.repeat(1_100_000);
    const tooWordy = await t.http().post(BASE).set(bearer(tokens)).send(wordy).expect(413);
    expect(tooWordy.body.code).toBe('PAYLOAD_TOO_LARGE');

    // Every other JSON route keeps the 1 MB limit.
    const report = { analysis_result: { summary: 'x'.repeat(2 * MIB) } };
    const put = await t.http().put(`${BASE}/${text.body.id}`).set(bearer(a.adminTokens)).send(report).expect(413);
    expect(put.body.code).toBe('PAYLOAD_TOO_LARGE');
    const config = await t
      .http()
      .post('/api/v1/configurations/global')
      .set(bearer(a.adminTokens))
      .send({ blob: 'x'.repeat(2 * MIB) })
      .expect(413);
    expect(config.body.code).toBe('PAYLOAD_TOO_LARGE');

    expect(await submissionsOf(user.id)).toBe(1);
    const after = await storedObjects();
    expect(after.filter((key) => !before.includes(key))).toHaveLength(1); // the one accepted submission's file
  });

  it('a non-JSON body on the route is refused as elsewhere, not taken as an empty submission', async () => {
    const { user, tokens } = await newCandidate();
    const res = await t
      .http()
      .post(BASE)
      .set(bearer(tokens))
      .set('Content-Type', 'text/plain')
      .send(JSON.stringify(interview([])));
    expect([400, 415]).toContain(res.status);
    expect(res.body.status_code).toBe(res.status);
    const latin1 = await t
      .http()
      .post(BASE)
      .set(bearer(tokens))
      .set('Content-Type', 'application/json; charset=latin1')
      .send(JSON.stringify(interview([])));
    expect(latin1.status).toBe(415);
    expect(await submissionsOf(user.id)).toBe(0);
  });

  it('409 at the attempt limit (checked before and after storing): nothing stored', async () => {
    const c = await createTenantWithStaff(t, { max_test_attempts: 1 });
    await t.http().post(BASE).set(bearer(c.candidateTokens)).send(interview([])).expect(201);
    const before = await storedObjects();
    const res = await t
      .http()
      .post(BASE)
      .set(bearer(c.candidateTokens))
      .send(interview([dataUri(recording(2_000_000)), dataUri(recording(1_000_000))]))
      .expect(409);
    expect(res.body.code).toBe('MAX_ATTEMPTS_REACHED');
    expect(await submissionsOf(c.candidate.id)).toBe(1);
    expect(await mediaRowsOf(c.tenant.id)).toBe(0);
    expect(await storedObjects()).toEqual(before);
  });

  it('a failure after the files were put (the database) removes them again: nothing stored', async () => {
    const { user, tokens } = await newCandidate();
    const before = await storedObjects();
    const audit = t.app.get(AuditService);
    const failing = jest.spyOn(audit, 'record').mockRejectedValueOnce(new Error('database went away'));
    try {
      const res = await t
        .http()
        .post(BASE)
        .set(bearer(tokens))
        .send(interview([dataUri(recording(500_000)), dataUri(recording(600_000))]))
        .expect(500);
      expect(res.body.code).toBe('INTERNAL_ERROR');
    } finally {
      failing.mockRestore();
    }
    expect(await submissionsOf(user.id)).toBe(0);
    expect(await storedObjects()).toEqual(before);
    const ok = await t
      .http()
      .post(BASE)
      .set(bearer(tokens))
      .send(interview([dataUri(recording(500_000))]))
      .expect(201);
    expect(ok.body.id).toEqual(UUID);
  });
});

/**
 * The client of the responsiveness test, in its own process so that building and sending 50 MB (and collecting that
 * garbage) does not run on the event loop being measured: it posts the interview and samples GET /health every
 * ~10 ms until the answer arrives, then prints one JSON line.
 */
const RESPONSIVENESS_CLIENT = String.raw`
const http = require('node:http');
const { randomBytes } = require('node:crypto');
const { URL: base, TOKEN: token, RECORDING_BYTES: size, RECORDINGS: count } = process.env;
const head = Buffer.from(process.env.WEBM_HEAD, 'hex');
const entries = Array.from({ length: Number(count) }, (_, i) => {
  const bytes = randomBytes(Number(size));
  head.copy(bytes);
  return { question: 'Situation: s\n\nQuestion: q' + i, answer: 'a' + i, situation: 's', videoDataUri: 'data:video/webm;codecs=vp9,opus;base64,' + bytes.toString('base64') };
});
const body = Buffer.from(JSON.stringify({ candidate_name: 'Ada', test_type: 'SJT', conversation_history: entries }));
const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });
function send(method, path, payload) {
  return new Promise((resolve, reject) => {
    const headers = payload ? { 'content-type': 'application/json', 'content-length': payload.length, authorization: 'Bearer ' + token } : {};
    const req = http.request(base + path, { method, agent: payload ? undefined : agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}
async function sample(whileRunning) {
  const latencies = [];
  let done = false;
  let failures = 0;
  const sampler = (async () => {
    while (!done) {
      const sent = performance.now();
      const res = await send('GET', '/health');
      latencies.push(performance.now() - sent);
      if (res.status !== 200) failures += 1;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  const started = performance.now();
  const result = await whileRunning();
  const elapsed = performance.now() - started;
  done = true;
  await sampler;
  return { result, elapsed, latencies, failures };
}
(async () => {
  await send('GET', '/health');
  if (global.gc) global.gc();
  // The same probe with nothing else going on: how noisy the machine is right now.
  const idle = await sample(() => new Promise((resolve) => setTimeout(resolve, 1000)));
  const during = await sample(() => send('POST', '/api/v1/submissions', body));
  agent.destroy();
  const res = during.result;
  process.stdout.write(JSON.stringify({
    status: res.status, text: res.text.slice(0, 300), bodyBytes: body.length, elapsed: during.elapsed,
    latencies: during.latencies, idleLatencies: idle.latencies, healthFailures: during.failures + idle.failures,
  }) + '\n');
})().catch((error) => { process.stderr.write(String(error && error.stack)); process.exit(1); });
`;

/** /health latency while a ~50 MB submission is read, parsed (off the event loop) and stored. */
describe('Event loop stays responsive during a 50 MB submission', () => {
  let t: TestApp;
  let baseUrl: string;

  beforeAll(async () => {
    t = await createTestApp({ MAX_FILE_SIZE: String(12 * MIB) });
    await new Promise<void>((resolve) => t.app.getHttpServer().listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await t?.close();
  });

  function runClient(env: Record<string, string>): Promise<{
    status: number;
    text: string;
    bodyBytes: number;
    elapsed: number;
    latencies: number[];
    idleLatencies: number[];
    healthFailures: number;
  }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--expose-gc', '-e', RESPONSIVENESS_CLIENT], {
        env: { PATH: process.env.PATH, URL: baseUrl, WEBM_HEAD: MEDIA_HEADS.webm.toString('hex'), ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) =>
        code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`client exited ${code}: ${err}`)),
      );
    });
  }

  it('GET /health p99 stays within 100 ms, sampled every ~10 ms while the submission is processed', async () => {
    const { candidateTokens, candidate } = await createTenantWithStaff(t, { max_test_attempts: 5 });
    const token = candidateTokens.access_token;
    // Warm-up: the worker thread starts on the first large body.
    const warm = await runClient({ TOKEN: token, RECORDING_BYTES: '300000', RECORDINGS: '1' });
    expect(warm.status).toBe(201);

    const run = await runClient({ TOKEN: token, RECORDING_BYTES: '9400000', RECORDINGS: '4' });
    expect({ status: run.status, text: run.text }).toEqual({ status: 201, text: expect.any(String) });
    expect(run.bodyBytes).toBeGreaterThan(50_000_000);
    expect(run.healthFailures).toBe(0);
    const [{ count }] = await t.db.query(
      'SELECT count(*) FROM media_files m JOIN submissions s ON s.id = m.submission_id WHERE s.user_id = $1',
      [candidate.id],
    );
    expect(Number(count)).toBe(5);

    const p = (values: number[], q: number) => {
      const sorted = [...values].sort((x, y) => x - y);
      return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * q) - 1)];
    };
    const [p50, p99, idleP99] = [p(run.latencies, 0.5), p(run.latencies, 0.99), p(run.idleLatencies, 0.99)];
    const report =
      `50 MB submission took ${run.elapsed.toFixed(0)} ms; /health over ${run.latencies.length} samples: p50 ${p50.toFixed(1)} ms, ` +
      `p99 ${p99.toFixed(1)} ms (alone, just before: p99 ${idleP99.toFixed(1)} ms over ${run.idleLatencies.length} samples)`;
    process.stdout.write(`${report}\n`);
    // Samples covered the whole submission (one per ~10 ms plus the request's own time), and the slowest was quick:
    // within 100 ms, plus what the machine's own noise costs the same probe without the submission (parsing the
    // body on the event loop would stall it for ~350 ms here).
    expect(run.latencies.length).toBeGreaterThanOrEqual(Math.min(20, Math.floor(run.elapsed / 50)));
    expect({ report, withinBudget: p99 <= 100 + idleP99 }).toEqual({ report, withinBudget: true });
  });
});
