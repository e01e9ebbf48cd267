import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { request as httpRequest, Agent } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deflateSync, gzipSync } from 'node:zlib';
import { MAX_BODY_NODES, MAX_OBJECT_KEYS } from '../../src/common/http/body-shape';
import { MAX_LISTED_ERRORS } from '../../src/common/errors/all-exceptions.filter';
import { bearer, createSuperadmin, createTenantWithStaff, loginAs, Tokens } from '../setup/factories';
import { filePart, frontendParts, postMedia, webm } from '../setup/media-upload';
import { Staff } from '../setup/fixtures';
import { createTestApp, TestApp } from '../setup/test-app';
import { UUID } from '../setup/matchers';

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'cache-control': 'no-store',
};

/** The standard error body, exactly: nothing else, no stack. */
const errorBody = (status: number, code: string, extra: Record<string, unknown> = {}) => ({
  status_code: status,
  code,
  detail: expect.any(String),
  path: expect.any(String),
  request_id: expect.any(String),
  ...extra,
});

/** A ~940 KB object of 110,000 keys: the probe's body (under the 1 MB limit, quadratic for class-transformer). */
const wideObject = (keys = 110_000) => Object.fromEntries(Array.from({ length: keys }, (_, i) => [i.toString(36), 0]));

const history = [{ question: 'Q1', answer: 'A1' }];

/**
 * The attacker, run with `node -e` (argv: port, bearer token): 4 connections each loop a 942 KB body of 110,000
 * keys to /auth/login or one of 100,000 keys inside a submission, until stdin says stop; then it prints every
 * response as JSON. Plain JavaScript, loopback only.
 */
const ATTACKER = `
const http = require('node:http');
const [port, token] = process.argv.slice(1);
const wide = (n) => { const o = {}; for (let i = 0; i < n; i += 1) o[i.toString(36)] = 0; return o; };
const login = Buffer.from(JSON.stringify(wide(110000)));
const submission = Buffer.from(JSON.stringify({ candidate_name: 'n', test_type: 'SJT', conversation_history: [{ question: 'q', answer: wide(100000) }] }));
if (login.length < 900000 || submission.length > 1048576) throw new Error('body sizes');
let stop = false;
process.stdin.on('data', () => (stop = true)).on('end', () => (stop = true));
setTimeout(() => (stop = true), 60000).unref();
const results = [];
const send = (agent, path, body, auth) => new Promise((resolve) => {
  const headers = { 'Content-Type': 'application/json', 'Content-Length': body.length };
  if (auth) headers.Authorization = 'Bearer ' + token;
  const req = http.request({ host: '127.0.0.1', port, method: 'POST', path, agent, headers }, (res) => {
    const chunks = [];
    res.on('data', (c) => chunks.push(c));
    res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString() }));
  });
  req.on('error', (e) => resolve({ status: 0, text: String(e) }));
  req.end(body);
});
let announced = false;
const sender = async (i) => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  while (!stop) {
    results.push(await (i % 2 ? send(agent, '/api/v1/submissions', submission, true) : send(agent, '/auth/login', login, false)));
    if (!announced && results.length >= 4) { announced = true; process.stdout.write('attacking\\n'); }
  }
  agent.destroy();
};
Promise.all([0, 1, 2, 3].map(sender)).then(() => process.stdout.write(JSON.stringify(results) + '\\n'));
`;

/** superagent would JSON-serialize a Buffer sent as application/json; these bytes go out exactly as given. */
const asIs = (data: unknown) => data as string;

describe('Request pipeline hardening', () => {
  let t: TestApp;
  let a: Staff;
  let superTokens: Tokens;

  beforeAll(async () => {
    t = await createTestApp();
    a = await createTenantWithStaff(t, { max_test_attempts: 100 });
    ({ superTokens } = await createSuperadmin(t));
  });
  afterAll(() => t.close());

  const count = async (table: string) => Number((await t.db.query(`SELECT count(*)::int AS n FROM ${table}`))[0].n);
  const userRow = async (id: string) =>
    (await t.db.query('SELECT full_name, role, email, is_active FROM users WHERE id = $1', [id]))[0];

  describe('body shape: keys per object, values in all', () => {
    it(`a ${MAX_OBJECT_KEYS + 1}-key object is a small 400 BODY_TOO_WIDE at login, in a submission and a configuration — nothing stored`, async () => {
      const [submissions, configurations] = [await count('submissions'), await count('configurations')];
      const wide = wideObject(MAX_OBJECT_KEYS + 1);
      const cases = [
        t.http().post('/auth/login').send(wide),
        t
          .http()
          .post('/api/v1/submissions')
          .set(bearer(a.candidateTokens))
          .send({ candidate_name: 'n', test_type: 'SJT', conversation_history: [{ question: 'q', answer: wide }] }),
        t
          .http()
          .post('/api/v1/configurations')
          .set(bearer(a.adminTokens))
          .send({ config_type: 'global', config_data: { blob: wide } }),
      ];
      for (const res of await Promise.all(cases)) {
        expect(res.status).toBe(400);
        expect(res.body).toEqual(
          errorBody(400, 'BODY_TOO_WIDE', { errors: [{ field: 'body', message: expect.any(String) }] }),
        );
        expect(res.text.length).toBeLessThan(1_000);
        expect(res.headers).toMatchObject(SECURITY_HEADERS);
      }
      expect([await count('submissions'), await count('configurations')]).toEqual([submissions, configurations]);
    });

    it(`more than ${MAX_BODY_NODES} values is a 400 BODY_TOO_COMPLEX; a long but real conversation_history is stored`, async () => {
      const before = await count('submissions');
      const many = Array.from({ length: MAX_BODY_NODES }, () => ({ q: 1 }));
      const refused = await t
        .http()
        .post('/api/v1/submissions')
        .set(bearer(a.candidateTokens))
        .send({ candidate_name: 'n', test_type: 'SJT', conversation_history: many });
      expect(refused.body).toEqual(
        errorBody(400, 'BODY_TOO_COMPLEX', { errors: [{ field: 'body', message: expect.any(String) }] }),
      );
      expect(await count('submissions')).toBe(before);

      const entry = {
        question: 'Situation … What do you do?',
        answer: 'I listen',
        situation: 's',
        competency: 'c',
        languageCode: 'en',
        followUpGenerated: false,
        scores: [1, 2, 3],
      };
      const long = Array.from({ length: 500 }, (_, i) => ({ ...entry, index: i }));
      const stored = await t
        .http()
        .post('/api/v1/submissions')
        .set(bearer(a.candidateTokens))
        .send({ candidate_name: 'n', test_type: 'SJT', conversation_history: long })
        .expect(201);
      const [row] = await t.db.query('SELECT conversation_history FROM submissions WHERE id = $1', [stored.body.id]);
      expect(row.conversation_history).toHaveLength(500);
      expect(row.conversation_history[499]).toEqual({ ...entry, index: 499 });
    });

    it(`validation errors list at most ${MAX_LISTED_ERRORS} entries, with a count in detail`, async () => {
      const res = await t
        .http()
        .post('/auth/login')
        .send({ email: 'a@example.test', password: 'x', ...wideObject(900) })
        .expect(400);
      expect(res.body).toEqual(errorBody(400, 'VALIDATION_ERROR', { errors: expect.any(Array) }));
      expect(res.body.errors).toHaveLength(MAX_LISTED_ERRORS);
      expect(res.body.detail).toBe(`Request validation failed (900 errors, the first ${MAX_LISTED_ERRORS} listed)`);
      expect(res.text.length).toBeLessThan(3_000);
    });
  });

  describe('/health stays responsive while 110,000-key bodies arrive', () => {
    let port: number;
    beforeAll(async () => {
      await t.app.listen(0, '127.0.0.1');
      port = (t.app.getHttpServer().address() as AddressInfo).port;
    });

    /** One /health request on a kept-alive connection; its wall-clock time in ms. */
    function health(agent: Agent) {
      return new Promise<{ status: number; ms: number }>((resolve, reject) => {
        const started = process.hrtime.bigint();
        const req = httpRequest({ host: '127.0.0.1', port, path: '/health', agent }, (res) => {
          res.resume();
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, ms: Number(process.hrtime.bigint() - started) / 1e6 }),
          );
        });
        req.on('error', reject);
        req.end();
      });
    }

    /**
     * One round: a separate process (as a real attacker would be, so that sending 4 × 942 KB is not charged to
     * the app's event loop) loops hostile bodies on 4 connections while /health is sampled 200 times in
     * sequence. Returns the p99 and every hostile response.
     */
    async function healthUnderAttack(): Promise<{ p99: number; refusals: Array<{ status: number; text: string }> }> {
      const attacker = spawn(process.execPath, ['-e', ATTACKER, String(port), a.adminTokens.access_token], {
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      let output = '';
      attacker.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const exited = once(attacker, 'exit');
      const latencies: number[] = [];
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        while (!output.includes('attacking\n')) {
          const event = await Promise.race([
            once(attacker.stdout, 'data').then(() => 'data'),
            exited.then(() => 'exit'),
          ]);
          if (event === 'exit') throw new Error(`the attacker exited before attacking: ${output.slice(0, 300)}`);
        }
        await health(agent); // open the connection
        for (let i = 0; i < 200; i += 1) {
          const res = await health(agent);
          expect(res.status).toBe(200);
          latencies.push(res.ms);
        }
      } finally {
        attacker.stdin.end('stop\n');
        await exited;
        agent.destroy();
      }
      latencies.sort((x, y) => x - y);
      return { p99: latencies[Math.ceil(latencies.length * 0.99) - 1], refusals: JSON.parse(output.split('\n')[1]) };
    }

    it('p99 of /health ≤ 50 ms with 4 parallel senders of 942 KB / 110k-key bodies to /auth/login and a submission route', async () => {
      const before = await count('submissions');
      // Unpatched, every round fails (each body blocks the loop for seconds); a round spoiled by another process
      // taking the CPU (the test machine is shared) is measured again, at most three times.
      const rounds: number[] = [];
      const refusals: Array<{ status: number; text: string }> = [];
      while (rounds.length < 3 && !(rounds.length > 0 && rounds[rounds.length - 1] <= 50)) {
        const round = await healthUnderAttack();
        rounds.push(round.p99);
        refusals.push(...round.refusals);
      }
      expect(refusals.length).toBeGreaterThanOrEqual(8);
      for (const res of refusals) {
        expect(res.status).toBe(400);
        expect(res.text.length).toBeLessThan(1_000);
        expect(JSON.parse(res.text)).toEqual(errorBody(400, 'BODY_TOO_WIDE', { errors: expect.any(Array) }));
      }
      expect(await count('submissions')).toBe(before);
      expect({ rounds, best: Math.min(...rounds) <= 50 }).toEqual({ rounds, best: true });
    });
  });

  describe('no 500 for bad input', () => {
    it.each([
      ['gzip', Buffer.from('definitely not gzip data')],
      ['deflate', Buffer.from('definitely not deflate data')],
      ['gzip', gzipSync(JSON.stringify({ email: 'a@example.test', password: 'x' })).subarray(0, 20)],
      ['br', Buffer.from('not brotli either')],
    ])(
      'a corrupt %s body is a 400 MALFORMED_BODY with the security headers, without a token',
      async (encoding, data) => {
        const res = await t
          .http()
          .post('/auth/login')
          .set('Content-Type', 'application/json')
          .set('Content-Encoding', encoding)
          .serialize(asIs)
          .send(data);
        expect(res.status).toBe(400);
        expect(res.body).toEqual(errorBody(400, 'MALFORMED_BODY'));
        expect(res.headers).toMatchObject(SECURITY_HEADERS);
      },
    );

    it('a well-formed gzip or deflate body is still read', async () => {
      const credentials = JSON.stringify({ email: a.admin.email, password: a.admin.password });
      for (const [encoding, data] of [
        ['gzip', gzipSync(credentials)],
        ['deflate', deflateSync(credentials)],
      ] as const) {
        const res = await t
          .http()
          .post('/auth/login')
          .set('Content-Type', 'application/json')
          .set('Content-Encoding', encoding)
          .serialize(asIs)
          .send(data);
        expect([res.status, res.body]).toEqual([
          200,
          expect.objectContaining({ user: expect.objectContaining({ id: a.admin.id }) }),
        ]);
      }
    });

    it('NUL in a body field is a 400 naming the field; the row is unchanged', async () => {
      const before = await userRow(a.candidate.id);
      const res = await t
        .http()
        .patch(`/api/v1/users/${a.candidate.id}`)
        .set(bearer(a.adminTokens))
        .send({ full_name: 'Eve\u0000' })
        .expect(400);
      expect(res.body).toEqual(
        errorBody(400, 'VALIDATION_ERROR', {
          errors: [{ field: 'full_name', message: 'full_name must not contain the NUL character' }],
        }),
      );
      expect(await userRow(a.candidate.id)).toEqual(before);
      const login = await t
        .http()
        .post('/auth/login')
        .send({ email: a.admin.email, password: `${a.admin.password}\u0000` })
        .expect(400);
      expect(login.body.errors).toEqual([
        { field: 'password', message: 'password must not contain the NUL character' },
      ]);
    });

    it('a lone surrogate in an e-mail (login, user creation) is a 400 naming the field; nothing created', async () => {
      const users = await count('users');
      const raw = (email: string) =>
        `{"email":"${email}","password":"Password-123","full_name":"X","role":"candidate"}`;
      const login = await t
        .http()
        .post('/auth/login')
        .set('Content-Type', 'application/json')
        .send(raw('\\ud800@example.test'))
        .expect(400);
      expect(login.body).toEqual(
        errorBody(400, 'VALIDATION_ERROR', {
          errors: [{ field: 'email', message: 'email must not contain unpaired UTF-16 surrogates' }],
        }),
      );
      const create = await t
        .http()
        .post('/api/v1/users')
        .set(bearer(a.adminTokens))
        .set('Content-Type', 'application/json')
        .send(raw('x\\udfff@example.test'))
        .expect(400);
      expect(create.body.errors).toEqual([
        { field: 'email', message: 'email must not contain unpaired UTF-16 surrogates' },
      ]);
      expect(await count('users')).toBe(users);
    });

    it('NUL or a lone surrogate inside a stored JSON blob (config_data, conversation_history) is a 400; nothing stored', async () => {
      const [submissions, configurations] = [await count('submissions'), await count('configurations')];
      const config = await t
        .http()
        .post('/api/v1/configurations')
        .set(bearer(a.adminTokens))
        .set('Content-Type', 'application/json')
        .send('{"config_type":"global","config_data":{"notes":{"deep":["ok","bad\\u0000"]}}}')
        .expect(400);
      expect(config.body.errors).toEqual([
        { field: 'config_data.notes.deep[1]', message: 'config_data.notes.deep[1] must not contain the NUL character' },
      ]);
      const raw = await t
        .http()
        .post('/api/v1/configurations/global')
        .set(bearer(a.adminTokens))
        .set('Content-Type', 'application/json')
        .send('{"theme":"\\udc00"}')
        .expect(400);
      expect(raw.body.errors).toEqual([
        { field: 'theme', message: 'theme must not contain unpaired UTF-16 surrogates' },
      ]);
      const submission = await t
        .http()
        .post('/api/v1/submissions')
        .set(bearer(a.candidateTokens))
        .set('Content-Type', 'application/json')
        .send('{"candidate_name":"n","test_type":"SJT","conversation_history":[{"question":"q","answer":"a\\u0000"}]}')
        .expect(400);
      expect(submission.body.errors).toEqual([
        {
          field: 'conversation_history[0].answer',
          message: 'conversation_history[0].answer must not contain the NUL character',
        },
      ]);
      expect([await count('submissions'), await count('configurations')]).toEqual([submissions, configurations]);
    });

    it('NUL in the query string or a path parameter is a 400 naming it', async () => {
      const query = await t.http().get('/api/v1/submissions?candidate_id=a%00b').set(bearer(a.adminTokens)).expect(400);
      expect(query.body).toEqual(
        errorBody(400, 'VALIDATION_ERROR', {
          errors: [{ field: 'candidate_id', message: 'candidate_id must not contain the NUL character' }],
        }),
      );
      const param = await t
        .http()
        .get('/api/v1/users/by-email/a%00b%40example.test')
        .set(bearer(a.adminTokens))
        .expect(400);
      expect(param.body.errors).toEqual([{ field: 'email', message: 'email must not contain the NUL character' }]);
    });

    it('skip beyond any integer is a 400 on every list route; a limit above 500 is clamped', async () => {
      const doc = (await t.http().get('/docs-json').expect(200)).body as {
        paths: Record<string, Record<string, { parameters?: Array<{ name: string; in: string }> }>>;
      };
      const PATH_VALUES: Record<string, string> = { type: 'global', test_type: 'SJT', user_id: a.candidate.id };
      const lists = Object.entries(doc.paths)
        .filter(([, ops]) => ops.get?.parameters?.some((p) => p.in === 'query' && p.name === 'skip'))
        .map(([path]) => path.replace(/\{([^}]+)\}/g, (_m, name: string) => PATH_VALUES[name] ?? a.tenant.id));
      expect(lists.length).toBeGreaterThanOrEqual(6);
      for (const path of lists) {
        for (const [name, value] of [
          ['skip', '99999999999999999999999'],
          ['skip', '1e400'],
          ['limit', '1e400'],
          ['limit', '-99999999999999999999999'],
        ]) {
          const res = await t.http().get(`${path}?${name}=${value}`).set(bearer(superTokens));
          expect([path, res.status]).toEqual([path, 400]);
          expect(res.body).toEqual(
            errorBody(400, 'VALIDATION_ERROR', {
              errors: expect.arrayContaining([expect.objectContaining({ field: name })]),
            }),
          );
        }
        // a limit above 500, however large, is clamped to 500 (README "API conventions")
        for (const value of ['99999999999999999999999', '501']) {
          const res = await t.http().get(`${path}?limit=${value}`).set(bearer(superTokens));
          expect([path, value, res.status]).toEqual([path, value, 200]);
          expect(Array.isArray(res.body) ? res.body.length : 0).toBeLessThanOrEqual(500);
        }
      }
    });
  });

  describe('prototype keys and non-JSON bodies', () => {
    it.each(['__proto__', 'constructor', 'prototype'])(
      'a %s key is a 400 unknown field at any depth; nothing changes',
      async (key) => {
        const before = await userRow(a.candidate.id);
        const top = await t
          .http()
          .patch(`/api/v1/users/${a.candidate.id}`)
          .set(bearer(a.adminTokens))
          .set('Content-Type', 'application/json')
          .send(`{"full_name":"Renamed","${key}":{"role":"superadmin"}}`)
          .expect(400);
        expect(top.body).toEqual(
          errorBody(400, 'VALIDATION_ERROR', { errors: [{ field: key, message: `unknown field "${key}"` }] }),
        );
        expect(await userRow(a.candidate.id)).toEqual(before);

        const configurations = await count('configurations');
        const nested = await t
          .http()
          .post('/api/v1/configurations')
          .set(bearer(a.adminTokens))
          .set('Content-Type', 'application/json')
          .send(`{"config_type":"global","config_data":{"flags":[{"${key}":{"polluted":true}}]}}`)
          .expect(400);
        expect(nested.body.errors).toEqual([
          { field: `config_data.flags[0].${key}`, message: `unknown field "${key}"` },
        ]);
        expect(await count('configurations')).toBe(configurations);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      },
    );

    it.each([
      ['text/plain', 'full_name=Renamed'],
      ['application/x-www-form-urlencoded', 'full_name=Renamed'],
      ['application/xml', '<full_name>Renamed</full_name>'],
    ])('a PATCH/PUT/POST body of type %s is a 415, not an ignored no-op', async (type, data) => {
      const before = await userRow(a.candidate.id);
      for (const method of ['patch', 'put'] as const) {
        const res = await t
          .http()
          [method](`/api/v1/users/${a.candidate.id}`)
          .set(bearer(a.adminTokens))
          .set('Content-Type', type)
          .send(data);
        expect(res.status).toBe(415);
        expect(res.body).toEqual(errorBody(415, 'UNSUPPORTED_MEDIA_TYPE'));
        expect(res.headers).toMatchObject(SECURITY_HEADERS);
      }
      expect(await userRow(a.candidate.id)).toEqual(before);
      const login = await t.http().post('/auth/login').set('Content-Type', type).send(data);
      expect(login.status).toBe(415);
    });

    it('body-less POSTs and multipart media uploads keep working', async () => {
      const session = await loginAs(t, a.proctor);
      await t.http().post('/auth/logout').set(bearer(session)).expect(200);
      const again = await loginAs(t, a.proctor);
      await t
        .http()
        .post('/auth/logout')
        .set(bearer(again))
        .set('Content-Type', 'text/plain')
        .set('Content-Length', '0')
        .expect(200);
      const chunked = await loginAs(t, a.proctor);
      await t.http().post('/auth/logout').set(bearer(chunked)).set('Transfer-Encoding', 'chunked').expect(200);
      const untyped = await t
        .http()
        .post('/auth/login')
        .unset('Content-Type')
        .serialize(asIs)
        .send(Buffer.from('{"email":"a@b.c"}'));
      expect(untyped.status).toBe(415);

      const submission = await t
        .http()
        .post('/api/v1/submissions')
        .set(bearer(a.candidateTokens))
        .send({ candidate_name: 'n', test_type: 'JDT', conversation_history: history })
        .expect(201);
      const upload = await postMedia(t, a.candidateTokens, submission.body.id, frontendParts(filePart(webm())));
      expect(upload.status).toBe(201);
      expect(upload.body.media_file_id).toEqual(UUID);
      const other = await t
        .http()
        .post('/auth/login')
        .set('Content-Type', 'multipart/form-data; boundary=x')
        .send('--x--\r\n');
      expect(other.status).toBe(415);
    });
  });

  describe('early errors carry the security headers', () => {
    it.each([
      [
        'malformed JSON',
        () => t.http().post('/auth/login').set('Content-Type', 'application/json').send('{"email":'),
        400,
        'MALFORMED_JSON',
      ],
      [
        'a body over 1 MB',
        () =>
          t
            .http()
            .post('/auth/login')
            .set('Content-Type', 'application/json')
            .send(`"${'x'.repeat(1_100_000)}"`),
        413,
        'PAYLOAD_TOO_LARGE',
      ],
      [
        'a body nested too deep',
        () =>
          t
            .http()
            .post('/auth/login')
            .set('Content-Type', 'application/json')
            .send(`${'['.repeat(500)}${']'.repeat(500)}`),
        400,
        'BODY_TOO_DEEP',
      ],
      [
        'corrupt gzip',
        () =>
          t
            .http()
            .post('/auth/login')
            .set('Content-Type', 'application/json')
            .set('Content-Encoding', 'gzip')
            .serialize(asIs)
            .send(Buffer.from('xx')),
        400,
        'MALFORMED_BODY',
      ],
      [
        'an unsupported charset',
        () => t.http().post('/auth/login').set('Content-Type', 'application/json; charset=latin1').send('{}'),
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      ],
    ])('%s', async (_label, call, status, code) => {
      const res = await call();
      expect(res.status).toBe(status);
      const { errors, ...rest } = res.body;
      expect(rest).toEqual(errorBody(status, code));
      if (errors !== undefined) expect(errors).toEqual([{ field: expect.any(String), message: expect.any(String) }]);
      expect(res.headers).toMatchObject(SECURITY_HEADERS);
      expect(res.headers['x-request-id']).toBe(res.body.request_id);
    });
  });
});
