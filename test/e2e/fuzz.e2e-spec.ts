import { randomInt } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bearer, createTenantWithStaff, createUser, loginAs, Tokens, UserRow } from '../setup/factories';
import {
  encodeBody,
  hostileHeaderValue,
  hostilePathValue,
  hostileValue,
  mutateBody,
  OpenApiDocument,
  Operation,
  operationsOf,
  plausible,
  Prng,
} from '../setup/fuzz';
import { createSubmittedAttempt, createTestWithQuestions, MIXED_QUESTIONS } from '../setup/timed-tests-fixtures';
import { filePart, frontendParts, postMedia, webm } from '../setup/media-upload';
import { insertTest } from '../setup/timed-tests';
import { createTestApp, TestApp } from '../setup/test-app';

/**
 * Drives every operation of the app's own OpenAPI document with mutated path parameters, queries, bodies,
 * content types and encodings, as a tenant admin and anonymously, on loopback only. Any 5xx, any error body not
 * in the standard shape, any stack or SQL text, and any response slower than SLOW_MS fails the run.
 * FUZZ_SEED replays a run (the seed is in the test name and printed); FUZZ_REQUESTS sets its size.
 */
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : randomInt(2 ** 31);
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 4000);
const CONCURRENCY = 4;
const SLOW_MS = 2_000;

const ERROR_KEYS = new Set(['status_code', 'code', 'detail', 'path', 'request_id', 'errors']);
/** A stack frame, a source location, or database text: none may ever reach a client. */
const LEAK =
  /\n\s+at \S|node_modules|\.ts:\d+|\.js:\d+:\d+|QueryFailedError|TypeORMError|violates .* constraint|syntax error at or near|invalid input syntax|duplicate key value|\b(SELECT|INSERT INTO|DELETE FROM)\b.*\b(FROM|VALUES|WHERE)\b/;

interface Sent {
  method: string;
  path: string;
  auth: string;
  headers: Record<string, string>;
  bodyPreview: string;
}
interface Received {
  status: number;
  text: string;
  headers: Record<string, string | string[] | undefined>;
  ms: number;
}
interface Finding extends Sent {
  index: number;
  status: number;
  problem: string;
  response: string;
}

/** What is wrong with a response, or null. */
function problemOf(res: Received): string | null {
  if (res.status >= 500) return `status ${res.status}`;
  if (res.ms > SLOW_MS) return `slow: ${Math.round(res.ms)} ms`;
  if (LEAK.test(res.text)) return 'stack or SQL text in the body';
  if (!res.headers['x-request-id']) return 'no X-Request-Id';
  if (res.headers['x-content-type-options'] !== 'nosniff') return 'no security headers';
  if (res.status < 400) return null;
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(res.text);
  } catch {
    return 'error body is not JSON';
  }
  const keys = Object.keys(body ?? {});
  if (keys.some((key) => !ERROR_KEYS.has(key))) return `error body has extra keys: ${keys.join(',')}`;
  if (body.status_code !== res.status) return 'status_code differs from the status';
  if (typeof body.code !== 'string' || typeof body.detail !== 'string' || typeof body.path !== 'string')
    return 'error body fields of the wrong type';
  if (body.request_id !== res.headers['x-request-id']) return 'request_id differs from X-Request-Id';
  if (body.errors !== undefined) {
    const errors = body.errors as unknown[];
    if (!Array.isArray(errors) || errors.length > 20) return 'errors[] is not a short list';
    if (
      errors.some(
        (e) =>
          typeof (e as { field?: unknown })?.field !== 'string' ||
          typeof (e as { message?: unknown }).message !== 'string',
      )
    ) {
      return 'errors[] entries are not {field, message}';
    }
  }
  if (res.text.length > 20_000) return `error body of ${res.text.length} characters`;
  return null;
}

describe('Fuzzing every OpenAPI operation', () => {
  let t: TestApp;
  let port: number;
  let operations: Operation[];
  let doc: OpenApiDocument;
  let admin: UserRow;
  let adminTokens: Tokens;
  let relogin: Promise<void> | null = null;
  let relogins = 0;
  const pools: Record<string, string[]> = {};

  beforeAll(async () => {
    t = await createTestApp({
      RATE_LIMIT_LOGIN_ACCOUNT_LIMIT: '1000000',
      RATE_LIMIT_LOGIN_IP_LIMIT: '1000000',
      RATE_LIMIT_REGISTER_LIMIT: '1000000',
      RATE_LIMIT_REFRESH_LIMIT: '1000000',
      RATE_LIMIT_INVITE_TOKEN_IP_LIMIT: '1000000',
      RATE_LIMIT_INVITE_TOKEN_LIMIT: '1000000',
      RATE_LIMIT_INVITE_TOKEN_MISSES_LIMIT: '1000000',
      ALLOW_PUBLIC_REGISTRATION: 'true',
    });
    await t.app.listen(0, '127.0.0.1');
    port = (t.app.getHttpServer().address() as AddressInfo).port;
    doc = (await t.http().get('/docs-json').expect(200)).body;
    operations = operationsOf(doc);

    // Real rows, so that path ids sometimes hit existing objects (own tenant and a foreign one).
    const own = await createTenantWithStaff(t, { max_test_attempts: 1000 });
    const foreign = await createTenantWithStaff(t);
    admin = own.admin;
    adminTokens = own.adminTokens;
    const submission = await t
      .http()
      .post('/api/v1/submissions')
      .set(bearer(own.candidateTokens))
      .send({ candidate_name: 'Fuzz', test_type: 'SJT', conversation_history: [{ question: 'q', answer: 'a' }] })
      .expect(201);
    const media = await postMedia(t, own.candidateTokens, submission.body.id, frontendParts(filePart(webm())));
    const configuration = await t
      .http()
      .post('/api/v1/configurations/global')
      .set(bearer(own.adminTokens))
      .send({ flag: true })
      .expect(201);
    await t
      .http()
      .post('/api/v1/competencies')
      .set(bearer(own.adminTokens))
      .send({ competency_code: 'FUZZ-1', competency_name: 'Fuzz' })
      .expect(201);
    const sessions = await t.http().get('/auth/sessions').set(bearer(own.proctorTokens)).expect(200);
    const timed = await createTestWithQuestions(t, { tenantId: own.tenant.id, questions: MIXED_QUESTIONS });
    const attempt = await createSubmittedAttempt(t, timed, { answers: { [timed.questions[2].id]: 'Essay' } });
    const foreignTimed = await createTestWithQuestions(t, { tenantId: foreign.tenant.id });
    pools.id = [
      own.tenant.id,
      foreign.tenant.id,
      own.candidate.id,
      own.proctor.id,
      foreign.admin.id,
      submission.body.id,
      configuration.body.id,
      sessions.body[0]?.id,
      timed.testId,
      foreignTimed.testId,
      attempt.attemptId,
    ].filter(Boolean);
    pools.submission_id = [attempt.attemptId, foreignTimed.testId];
    pools.answer_id = [attempt.answerIds[timed.questions[2].id], timed.questions[0].id, timed.questions[2].id];
    pools.user_id = [own.candidate.id, foreign.candidate.id, own.admin.id];
    pools.media_id = [media.body.media_file_id, '6a1e0f52-3333-4333-8333-333333333333'];
    pools.code = ['FUZZ-1', 'fuzz-1', 'NOPE'];
    pools.email = [own.candidate.email, foreign.admin.email, 'nobody@example.test'];
    pools.test_type = ['SJT', 'jdt', 'XYZ'];
    pools.type = ['sjt', 'jdt', 'global', 'other'];
    // a timed test with a started invitation, so token routes and invitation ids sometimes hit real rows
    const timedTest = await insertTest(t.db, own.tenant.id);
    const invitation = await t
      .http()
      .post('/api/invites')
      .set(bearer(own.adminTokens))
      .send({ test_id: timedTest.id, applicant_email: 'fuzz@example.test', applicant_name: 'Fuzz', no_schedule: true })
      .expect(201);
    const open = await t
      .http()
      .post('/api/invites')
      .set(bearer(own.adminTokens))
      .send({ test_id: timedTest.id, applicant_email: 'fuzz2@example.test', applicant_name: 'Fuzz' })
      .expect(201);
    await t.http().post(`/api/start-test/${invitation.body.invite_token}`).expect(200);
    pools.token = [invitation.body.invite_token, open.body.invite_token, 'x'.repeat(43)];
    pools.id.push(invitation.body.id, timedTest.id);
    pools.test_id = [timedTest.id];
  });
  afterAll(() => t.close());

  /** Keeps a valid admin token: after a 401 (logout, revoked session, deactivation) log in again, or make a new admin. */
  async function ensureAdmin(): Promise<void> {
    relogin ??= (async () => {
      const me = await t.http().get('/auth/me').set(bearer(adminTokens));
      if (me.status === 200) return;
      relogins += 1;
      try {
        adminTokens = await loginAs(t, admin);
      } catch {
        admin = await createUser(t.db, { role: 'admin', tenantId: admin.tenant_id });
        adminTokens = await loginAs(t, admin);
      }
    })().finally(() => (relogin = null));
    await relogin;
  }

  function send(agent: Agent, sent: Sent, body?: Buffer): Promise<Received> {
    return new Promise((resolve) => {
      const started = process.hrtime.bigint();
      const headers = { ...sent.headers, ...(body ? { 'Content-Length': String(body.length) } : {}) };
      const req = httpRequest(
        { host: '127.0.0.1', port, method: sent.method, path: sent.path, headers, agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const ms = Number(process.hrtime.bigint() - started) / 1e6;
            resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString(), headers: res.headers, ms });
          });
        },
      );
      req.setTimeout(15_000, () => req.destroy(new Error('timeout')));
      req.on('error', (error) =>
        resolve({ status: 599, text: String(error), headers: {}, ms: Number(process.hrtime.bigint() - started) / 1e6 }),
      );
      req.end(body);
    });
  }

  function build(op: Operation, rng: Prng): { sent: Sent; body?: Buffer } {
    const ids = () => (rng.chance(0.8) ? rng.pick(pools.id) : rng.uuid());
    let path = op.path.replace(/\{([^}]+)\}/g, (_match, name: string) => {
      if (rng.chance(0.25)) return hostilePathValue(rng);
      return encodeURIComponent(rng.pick(pools[name] ?? pools.id));
    });
    const query: string[] = [];
    for (const param of op.query) {
      if (rng.chance(0.5)) continue;
      const value = rng.chance(0.3)
        ? hostilePathValue(rng)
        : encodeURIComponent(String(plausible(doc, param.schema, rng, ids)));
      query.push(`${param.name}=${value}`);
      if (rng.chance(0.05)) query.push(`${param.name}=${value}`); // repeated: an array
    }
    if (rng.chance(0.05)) query.push(`${rng.pick(['unknown', '__proto__', 'constructor'])}=${hostilePathValue(rng)}`);
    if (query.length) path += `?${query.join('&')}`;

    const auth = rng.chance(0.6) ? 'admin' : rng.chance(0.8) ? 'anonymous' : 'garbage-token';
    const headers: Record<string, string> = {};
    if (auth === 'admin') headers.Authorization = `Bearer ${adminTokens.access_token}`;
    for (const name of op.headers) if (rng.chance(0.7)) headers[name] = hostileHeaderValue(rng);
    if (auth === 'garbage-token')
      headers.Authorization = rng.pick(['Bearer x.y.z', 'Bearer \u00e9', 'Basic Zm9vOmJhcg==', 'Bearer ']);

    let body: Buffer | undefined;
    const wantsBody = op.bodyTypes.length > 0 || rng.chance(0.1);
    if (wantsBody && !(op.method === 'GET' && rng.chance(0.9))) {
      let value = op.bodySchema ? plausible(doc, op.bodySchema, rng, ids) : { value: hostileValue(rng) };
      if (rng.chance(0.55)) value = mutateBody(value, rng);
      const encoded = encodeBody(value, rng, op.bodyTypes);
      Object.assign(headers, encoded.headers);
      body = encoded.body;
    }
    const bodyPreview = body
      ? `${body.subarray(0, 200).toString()}${body.length > 200 ? `… (${body.length} bytes)` : ''}`
      : '';
    return { sent: { method: op.method, path, auth, headers, bodyPreview }, body };
  }

  it(
    `${REQUESTS} mutated requests (seed ${SEED}, FUZZ_SEED to replay): no 5xx, standard errors, no leaks, none slower than ${SLOW_MS} ms`,
    async () => {
      // eslint-disable-next-line no-console
      console.log(`fuzz: seed ${SEED}, ${REQUESTS} requests over ${operations.length} operations`);
      expect(operations.length).toBeGreaterThanOrEqual(60);
      const findings: Finding[] = [];
      const statuses: Record<number, number> = {};
      let next = 0;
      const worker = async () => {
        const agent = new Agent({ keepAlive: true, maxSockets: 1 });
        while (next < REQUESTS) {
          const index = next++;
          // One generator per request, so a request is the same for a seed however the workers interleave.
          const rng = new Prng(Math.imul(SEED ^ 0x9e3779b9, 0x85ebca6b) + index * 0x27d4eb2f);
          const op = operations[rng.int(operations.length)];
          const { sent, body } = build(op, rng);
          const res = await send(agent, sent, body);
          statuses[res.status] = (statuses[res.status] ?? 0) + 1;
          const problem = problemOf(res);
          if (problem) findings.push({ index, ...sent, status: res.status, problem, response: res.text.slice(0, 300) });
          if (sent.auth === 'admin' && res.status === 401) await ensureAdmin();
        }
        agent.destroy();
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      // eslint-disable-next-line no-console
      console.log(
        `fuzz: seed ${SEED}, statuses ${JSON.stringify(statuses)}, ${relogins} admin re-logins, ${findings.length} findings`,
      );
      const sample = findings
        .slice(0, 15)
        .map(({ bodyPreview, ...f }) => ({ ...f, bodyPreview: bodyPreview.slice(0, 120) }));
      expect({ seed: SEED, findings: findings.length, sample }).toEqual({ seed: SEED, findings: 0, sample: [] });
    },
    120_000 + REQUESTS * 60,
  );
});
