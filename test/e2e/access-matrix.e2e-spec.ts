import { hashSync } from 'bcrypt';
import type { Response } from 'superagent';
import {
  bearer,
  createSuperadmin,
  createTenant,
  createTenantWithStaff,
  createUser,
  DEFAULT_PASSWORD,
  loginAs,
  Tokens,
  UserRow,
} from '../setup/factories';
import { filePart, frontendParts, MEDIA_BOUNDARY, multipartBody, submitInterview, webm } from '../setup/media-upload';
import { createTestApp, TestApp } from '../setup/test-app';
import { insertTest } from '../setup/timed-tests';
import { createSubmittedAttempt, createTestWithQuestions, MIXED_QUESTIONS } from '../setup/timed-tests-fixtures';

/**
 * Route × role × tenant matrix. Every served route is requested by every actor against objects of tenant A, and
 * the outcome is compared with the policy table below. A route that is not in the table fails the test: add it.
 *
 * Actors: anonymous; a candidate of A (owner of the submission and media file); another candidate of A; A's proctor;
 * an admin of tenant B (foreign: A's objects must be 404 and A's ids never appear in what it reads); A's admin;
 * a superadmin. Denied writes re-read their target rows and must find them unchanged. Permitted writes that consume
 * a fixture (logout, deletes, new configuration versions) re-create it before the next request.
 */

const ACTORS = [
  'anonymous',
  'candidate',
  'other_candidate',
  'proctor',
  'foreign_admin',
  'admin',
  'superadmin',
] as const;
type Actor = (typeof ACTORS)[number];
type Authenticated = Exclude<Actor, 'anonymous'>;

/** Tenant A's objects (and the spare ones that deletes consume); ids change when a fixture is re-created. */
interface World {
  tenantA: string;
  tenantB: string;
  spareTenant: string;
  users: Record<Authenticated, UserRow>;
  tokens: Record<Authenticated, Tokens>;
  /** A candidate of A that DELETE /users/:id deactivates. */
  victim: UserRow;
  /** A second session of the candidate, for DELETE /auth/sessions/:id. */
  spareSession: string;
  submission: string;
  media: string;
  configuration: string;
  competencyCode: string;
  /** A timed test of A, an invitation to it (staff routes), and invitation tokens for the public token routes. */
  timedTest: string;
  invitation: string;
  tokens_: { view: string; schedule: string; take: string; submit: string };
  scheduledInvitation: string;
  /** A timed test of A with a submitted attempt (essay answered), and a spare test that DELETE consumes. */
  test: string;
  spareTest: string;
  attempt: string;
  /** The submitted attempt's invitation: its proctoring session (A's proctor watched it). */
  attemptInvitation: string;
  answer: string;
  /** Every id that belongs to tenant A: the foreign admin must never read one. */
  tenantAIds: Set<string>;
  /** Ids only the candidate (and A's staff) may see: the other candidate must never read one. */
  candidatePrivateIds: Set<string>;
}

interface Snapshot {
  sql: string;
  params?: unknown[];
}

interface RoutePolicy {
  /** Expected status per actor; anonymous defaults to 401 (every route is protected unless listed public). */
  expect: Partial<Record<Actor, number>> & Record<Authenticated, number>;
  query?: (w: World) => Record<string, string>;
  /** JSON body (or 'media' for the multipart upload); sent to every actor alike. */
  body?: (w: World, actor: Actor) => object | 'media';
  /** The rows a write acts on: re-read around every denied write, and must be unchanged. */
  target?: (w: World) => Snapshot;
  /** After a permitted request: re-create what it consumed, remember new tenant A ids. */
  after?: (t: TestApp, w: World, actor: Actor, res: Response) => Promise<void>;
}

let seq = 0;
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++seq}`;

const row =
  (table: string, id: (w: World) => string) =>
  (w: World): Snapshot => ({
    sql: `SELECT * FROM ${table} WHERE id = $1`,
    params: [id(w)],
  });
const wholeTable = (table: string) => (): Snapshot => ({ sql: `SELECT * FROM ${table} ORDER BY id` });

// Expected statuses, by the rules of README "Roles": candidates and proctors are refused staff routes (403); a
// foreign tenant's object is 404; a list read by the foreign admin is its own tenant's (200, no A ids).
const candidatesAndProctor = (status: number) => ({ candidate: status, other_candidate: status, proctor: status });
const managers = (ok: number, foreign: number) => ({
  ...candidatesAndProctor(403),
  foreign_admin: foreign,
  admin: ok,
  superadmin: ok,
});
const superadminOnly = (ok: number) => ({
  ...candidatesAndProctor(403),
  foreign_admin: 403,
  admin: 403,
  superadmin: ok,
});
const everyone = (ok: number) => ({ ...candidatesAndProctor(ok), foreign_admin: ok, admin: ok, superadmin: ok });
/** Submission routes: a candidate its own, proctors never (SJT/JDT interviews are not proctored). */
const submissionObject = (ok: number) => ({
  candidate: ok,
  other_candidate: 404,
  proctor: 403,
  foreign_admin: 404,
  admin: ok,
  superadmin: ok,
});

async function relogin(t: TestApp, w: World, actor: Actor): Promise<void> {
  if (actor !== 'anonymous') w.tokens[actor] = await loginAs(t, w.users[actor]);
}

async function newSpareSession(t: TestApp, w: World): Promise<void> {
  await loginAs(t, w.users.candidate);
  const [session] = await t.db.query(`SELECT id FROM sessions WHERE user_id = $1 ORDER BY created_at DESC LIMIT 1`, [
    w.users.candidate.id,
  ]);
  w.spareSession = session.id;
  w.tenantAIds.add(session.id);
  w.candidatePrivateIds.add(session.id);
}

async function uploadMedia(t: TestApp, w: World): Promise<void> {
  const res = await mediaRequest(t, w.submission, w.tokens.candidate);
  if (res.status !== 201) throw new Error(`media upload failed: ${res.status} ${JSON.stringify(res.body)}`);
  w.media = res.body.media_file_id;
  w.tenantAIds.add(w.media);
  w.candidatePrivateIds.add(w.media);
}

function mediaRequest(t: TestApp, submissionId: string, tokens: Tokens | null) {
  const req = t.http().post(`/api/v1/submissions/${submissionId}/media`);
  if (tokens) req.set(bearer(tokens));
  return req
    .set('Content-Type', `multipart/form-data; boundary=${MEDIA_BOUNDARY}`)
    .send(multipartBody(frontendParts(filePart(webm()))));
}

async function newSubmission(t: TestApp, w: World): Promise<void> {
  w.submission = (await submitInterview(t, w.tokens.candidate)).id;
  w.tenantAIds.add(w.submission);
  w.candidatePrivateIds.add(w.submission);
  await uploadMedia(t, w);
}

async function newConfiguration(t: TestApp, w: World): Promise<void> {
  const res = await t
    .http()
    .post('/api/v1/configurations')
    .set(bearer(w.tokens.admin))
    .send({ config_type: 'sjt', config_data: { scenarios: [], matrix: unique('config') } });
  if (res.status !== 201) throw new Error(`configuration failed: ${res.status} ${JSON.stringify(res.body)}`);
  w.configuration = res.body.id;
  w.tenantAIds.add(res.body.id);
}

/** After a new version of A's SJT configuration, the fixture is the active one. */
async function followActiveConfiguration(t: TestApp, w: World): Promise<void> {
  const [active] = await t.db.query(
    `SELECT id FROM configurations WHERE tenant_id = $1 AND config_type = 'sjt' AND is_active`,
    [w.tenantA],
  );
  w.configuration = active.id;
  w.tenantAIds.add(active.id);
}

async function newSpareTest(t: TestApp, w: World): Promise<void> {
  w.spareTest = (await createTestWithQuestions(t, { tenantId: w.tenantA })).testId;
  w.tenantAIds.add(w.spareTest);
}

const testBody = () => ({
  title: unique('Matrix test'),
  duration_minutes: 10,
  questions: [{ type: 'multiple_choice', question: 'Q', options: ['a', 'b'], correct_answer: 'a', points: 1 }],
});

/** The attempt and its answers: what a review writes. */
const attemptAndAnswers = (w: World): Snapshot => ({
  sql: `SELECT a.*, (SELECT json_agg(x ORDER BY x.id) FROM attempt_answers x WHERE x.attempt_id = a.id) AS answers
          FROM test_attempts a WHERE a.id = $1`,
  params: [w.attempt],
});

/** Ids a tenant A actor just created become tenant A ids. */
const rememberCreated = async (_t: TestApp, w: World, actor: Actor, res: Response) => {
  if (!['candidate', 'other_candidate', 'proctor', 'admin'].includes(actor)) return;
  for (const key of ['id', 'media_file_id']) if (typeof res.body?.[key] === 'string') w.tenantAIds.add(res.body[key]);
};

const userBody = () => ({
  email: `${unique('matrix')}@example.test`,
  password: DEFAULT_PASSWORD,
  full_name: 'Matrix User',
});

/** The same policy under both prefixes a controller is served at. */
function served(prefixes: string[], entries: Record<string, RoutePolicy>): Record<string, RoutePolicy> {
  const result: Record<string, RoutePolicy> = {};
  for (const [key, policy] of Object.entries(entries)) {
    const [method, suffix] = key.split(' ');
    for (const prefix of prefixes) result[`${method} ${prefix}${suffix}`] = policy;
  }
  return result;
}

const POLICY: Record<string, RoutePolicy> = {
  'GET /': { expect: { anonymous: 200, ...everyone(200) } },
  'GET /health': { expect: { anonymous: 200, ...everyone(200) } },
  'GET /api': { expect: { anonymous: 200, ...everyone(200) } },
  // Authorised by a signed link alone: a token grants nothing, and no signature is 403 for everyone.
  'GET /api/v1/media/:media_id/file': { expect: { anonymous: 403, ...everyone(403) } },

  ...served(['/auth', '/api/auth'], {
    'POST /login': {
      // The bearer header means nothing here: each actor logs in as itself (anonymous as the other candidate).
      expect: { anonymous: 200, ...everyone(200) },
      body: (w, actor) => {
        const user = w.users[actor === 'anonymous' ? 'other_candidate' : actor];
        return { email: user.email, password: DEFAULT_PASSWORD };
      },
      target: wholeTable('users'),
    },
    'POST /refresh': {
      expect: { anonymous: 401, ...everyone(200) },
      body: (w, actor) => ({ refresh_token: actor === 'anonymous' ? 'x'.repeat(43) : w.tokens[actor].refresh_token }),
      target: wholeTable('sessions'),
      after: async (_t, w, actor, res) => {
        if (actor !== 'anonymous') w.tokens[actor] = res.body;
      },
    },
    'POST /logout': {
      expect: everyone(200),
      target: wholeTable('sessions'),
      after: (t, w, actor) => relogin(t, w, actor),
    },
    'GET /me': { expect: everyone(200) },
    'POST /register': {
      // Public registration is off (the default) and there are no invitations yet: closed to everyone.
      expect: { anonymous: 403, ...everyone(403) },
      body: userBody,
      target: wholeTable('users'),
    },
    'GET /sessions': { expect: everyone(200) },
    'DELETE /sessions/:id': {
      // Own sessions only: nobody else, not even a superadmin, sees the candidate's session.
      expect: { candidate: 204, other_candidate: 404, proctor: 404, foreign_admin: 404, admin: 404, superadmin: 404 },
      target: row('sessions', (w) => w.spareSession),
      after: (t, w) => newSpareSession(t, w),
    },
    'POST /change-password': {
      expect: everyone(200),
      // (the same password again would be a 400 PASSWORD_UNCHANGED)
      body: () => ({ current_password: DEFAULT_PASSWORD, new_password: 'Matrix-changed-1' }),
      target: wholeTable('users'),
      // Other sessions of the caller are revoked: the candidate's spare one among them. The password goes back to
      // the default, so later re-logins of this actor still work.
      after: async (t, w, actor) => {
        if (actor === 'anonymous') return;
        await t.db.query(`UPDATE users SET password_hash = $2 WHERE id = $1`, [
          w.users[actor].id,
          hashSync(DEFAULT_PASSWORD, 4),
        ]);
        if (actor === 'candidate') await newSpareSession(t, w);
      },
    },
  }),

  ...served(['/users', '/api/v1/users'], {
    'GET ': { expect: managers(200, 200) },
    'POST ': { expect: managers(201, 201), body: userBody, target: wholeTable('users'), after: rememberCreated },
    'GET /by-email/:email': { expect: managers(200, 404) },
    'GET /:id': {
      expect: { candidate: 200, other_candidate: 404, proctor: 404, foreign_admin: 404, admin: 200, superadmin: 200 },
    },
    'PUT /:id': {
      expect: { candidate: 200, other_candidate: 404, proctor: 404, foreign_admin: 404, admin: 200, superadmin: 200 },
      body: () => ({ full_name: unique('Renamed') }),
      target: row('users', (w) => w.users.candidate.id),
    },
    'PATCH /:id': {
      expect: { candidate: 200, other_candidate: 404, proctor: 404, foreign_admin: 404, admin: 200, superadmin: 200 },
      body: () => ({ full_name: unique('Patched') }),
      target: row('users', (w) => w.users.candidate.id),
    },
    'DELETE /:id': {
      expect: managers(200, 404),
      target: row('users', (w) => w.victim.id),
      after: async (t, w) => {
        w.victim = await createUser(t.db, { tenantId: w.tenantA });
        w.tenantAIds.add(w.victim.id);
      },
    },
  }),

  'GET /api/v1/tenants': { expect: superadminOnly(200) },
  'POST /api/v1/tenants': {
    expect: superadminOnly(201),
    body: () => ({ name: unique('Tenant') }),
    target: wholeTable('tenants'),
  },
  'GET /api/v1/tenants/:id': { expect: managers(200, 404) },
  'PUT /api/v1/tenants/:id': {
    expect: superadminOnly(200),
    body: () => ({ max_test_attempts: 10 }),
    target: row('tenants', (w) => w.tenantA),
  },
  'DELETE /api/v1/tenants/:id': {
    // The spare tenant, not A: deactivating A would end every A session the matrix still needs.
    expect: superadminOnly(200),
    target: row('tenants', (w) => w.spareTenant),
    after: async (t, w) => {
      w.spareTenant = (await createTenant(t.db)).id;
    },
  },
  'GET /api/v1/tenants/:id/users': { expect: managers(200, 404) },
  'POST /api/v1/tenants/:id/users': {
    expect: managers(201, 404),
    body: userBody,
    target: wholeTable('users'),
    after: rememberCreated,
  },
  'GET /api/v1/tenants/:id/statistics': { expect: managers(200, 404) },
  'GET /api/v1/statistics/overview': { expect: superadminOnly(200) },
  'GET /api/v1/audit-logs': { expect: managers(200, 200) },

  'GET /api/v1/configurations': { expect: managers(200, 200) },
  'POST /api/v1/configurations': {
    // A global configuration: the SJT fixture keeps its version.
    expect: managers(201, 201),
    body: () => ({ config_type: 'global', config_data: { matrix: unique('global') } }),
    target: wholeTable('configurations'),
    after: rememberCreated,
  },
  'GET /api/v1/configurations/sjt': { expect: everyone(200) },
  'GET /api/v1/configurations/jdt': { expect: everyone(200) },
  'GET /api/v1/configurations/global': { expect: everyone(200) },
  'POST /api/v1/configurations/sjt': {
    expect: managers(201, 201),
    body: () => ({ scenarios: [], matrix: unique('sjt') }),
    target: wholeTable('configurations'),
    after: async (t, w, actor, res) => {
      await rememberCreated(t, w, actor, res);
      await followActiveConfiguration(t, w);
    },
  },
  'POST /api/v1/configurations/jdt': {
    expect: managers(201, 201),
    body: () => ({ roles: [], matrix: unique('jdt') }),
    target: wholeTable('configurations'),
    after: rememberCreated,
  },
  'POST /api/v1/configurations/global': {
    expect: managers(201, 201),
    body: () => ({ matrix: unique('global') }),
    target: wholeTable('configurations'),
    after: rememberCreated,
  },
  'GET /api/v1/configurations/type/:type': { expect: everyone(200) },
  'GET /api/v1/configurations/type/:type/versions': { expect: managers(200, 200) },
  'GET /api/v1/configurations/:id': { expect: { ...everyone(200), foreign_admin: 404 } },
  'PUT /api/v1/configurations/:id': {
    expect: managers(200, 404),
    body: () => ({ config_data: { scenarios: [], matrix: unique('sjt-update') } }),
    target: row('configurations', (w) => w.configuration),
    after: (t, w) => followActiveConfiguration(t, w),
  },
  'DELETE /api/v1/configurations/:id': {
    expect: managers(200, 404),
    target: row('configurations', (w) => w.configuration),
    after: (t, w) => newConfiguration(t, w),
  },

  'GET /api/v1/competencies': { expect: everyone(200) },
  'POST /api/v1/competencies': {
    expect: managers(201, 201),
    body: () => ({ competency_code: unique('MATRIX').toUpperCase().replace(/-/g, '_'), competency_name: 'Matrix' }),
    target: wholeTable('competency_dictionaries'),
    after: rememberCreated,
  },
  // A superadmin names the tenant (its default is System); anyone else naming its own tenant is the same lookup.
  'GET /api/v1/competencies/:code': {
    expect: { ...everyone(200), foreign_admin: 404 },
    query: (w) => ({ tenant_id: w.tenantA }),
  },
  'PUT /api/v1/competencies/:code': {
    expect: managers(200, 404),
    query: (w) => ({ tenant_id: w.tenantA }),
    body: () => ({ competency_name: unique('Renamed') }),
    target: (w) => ({
      sql: `SELECT * FROM competency_dictionaries WHERE tenant_id = $1 AND competency_code = $2`,
      params: [w.tenantA, w.competencyCode],
    }),
  },
  'DELETE /api/v1/competencies/:code': {
    expect: managers(200, 404),
    query: (w) => ({ tenant_id: w.tenantA }),
    target: (w) => ({
      sql: `SELECT * FROM competency_dictionaries WHERE tenant_id = $1 AND competency_code = $2`,
      params: [w.tenantA, w.competencyCode],
    }),
    after: async (t, w) => {
      await t
        .http()
        .put(`/api/v1/competencies/${w.competencyCode}`)
        .set(bearer(w.tokens.admin))
        .send({ is_active: true })
        .expect(200);
    },
  },

  'GET /api/tests': { expect: managers(200, 200) },
  'POST /api/tests': {
    expect: managers(201, 201),
    body: testBody,
    target: wholeTable('tests'),
    after: rememberCreated,
  },
  'GET /api/tests/:id': { expect: managers(200, 404) },
  'PUT /api/tests/:id': { expect: managers(200, 404), body: testBody, target: row('tests', (w) => w.test) },
  'DELETE /api/tests/:id': {
    expect: managers(200, 404),
    target: row('tests', (w) => w.spareTest),
    after: (t, w) => newSpareTest(t, w),
  },
  'GET /api/results': { expect: managers(200, 200) },
  'GET /api/results/export.csv': { expect: managers(200, 200) },
  'GET /api/results/review-queue': { expect: managers(200, 200) },
  // A's proctor watched the attempt: it reads that result (docs/proctoring.md "REST"), never the list
  'GET /api/results/:id': { expect: { ...managers(200, 404), proctor: 200 } },
  'POST /api/results/:id/answers/:answer_id/score': {
    expect: managers(200, 404),
    body: () => ({ score: 1, comment: unique('review') }),
    target: attemptAndAnswers,
  },
  'GET /api/my-submissions': { expect: everyone(200) },

  // Proctoring sessions: staff of the tenant (a proctor: live ones and those it watched, as it did this one)
  'GET /api/v1/proctoring/sessions': { expect: { ...managers(200, 200), proctor: 200 } },
  'GET /api/v1/proctoring/sessions/:invite_id': { expect: { ...managers(200, 404), proctor: 200 } },
  'PUT /api/v1/proctoring/sessions/:invite_id/review': {
    expect: { ...managers(200, 404), proctor: 200 },
    body: () => ({ status: 'suspicious', comment: unique('review') }),
    target: (w) => ({
      sql: `SELECT a.id, (SELECT json_agg(r) FROM proctoring_reviews r WHERE r.invitation_id = a.invitation_id) AS review,
                   (SELECT count(*) FROM attempt_events e WHERE e.attempt_id = a.id) AS events
              FROM test_attempts a WHERE a.id = $1`,
      params: [w.attempt],
    }),
  },
  'GET /api/v1/proctoring/ice-servers': { expect: everyone(200) },
  'GET /api/admin/scoring-queue': { expect: managers(200, 200) },
  'GET /api/admin/scoring/:submission_id': { expect: managers(200, 404) },
  'POST /api/admin/scoring/:submission_id/answer/:answer_id': {
    expect: managers(200, 404),
    body: () => ({ score_status: 'partial', manual_score: 2, comments: unique('review') }),
    target: attemptAndAnswers,
  },

  'GET /api/v1/submissions': { expect: { ...submissionObject(200), other_candidate: 200, foreign_admin: 200 } },
  'POST /api/v1/submissions': {
    expect: { ...submissionObject(201), other_candidate: 201, foreign_admin: 201 },
    body: () => ({
      candidate_name: 'Matrix',
      test_type: 'SJT',
      conversation_history: [{ question: 'Q', answer: 'A' }],
    }),
    target: wholeTable('submissions'),
    after: rememberCreated,
  },
  'GET /api/v1/submissions/user/:user_id/attempts/:test_type': { expect: submissionObject(200) },
  'GET /api/v1/submissions/user/:user_id/latest/:test_type': { expect: submissionObject(200) },
  'GET /api/v1/submissions/:id': { expect: submissionObject(200) },
  'PUT /api/v1/submissions/:id': {
    expect: managers(200, 404),
    body: () => ({ analysis_result: { matrix: unique('report') } }),
    target: row('submissions', (w) => w.submission),
  },
  'DELETE /api/v1/submissions/:id': {
    expect: managers(200, 404),
    target: (w) => ({
      sql: `SELECT s.*, (SELECT json_agg(m ORDER BY m.id) FROM media_files m WHERE m.submission_id = s.id) AS media
              FROM submissions s WHERE s.id = $1`,
      params: [w.submission],
    }),
    after: (t, w) => newSubmission(t, w),
  },
  'POST /api/v1/submissions/:id/media': {
    expect: submissionObject(201),
    body: () => 'media',
    target: (w) => ({ sql: `SELECT * FROM media_files WHERE submission_id = $1 ORDER BY id`, params: [w.submission] }),
    after: rememberCreated,
  },
  'GET /api/v1/submissions/:id/media': { expect: submissionObject(200) },

  'POST /api/invites': {
    expect: managers(201, 404),
    body: (w) => inviteBody(w),
    target: wholeTable('invitations'),
    after: rememberCreated,
  },
  'POST /api/invites/bulk': {
    expect: managers(201, 404),
    body: (w) => ({ test_id: w.timedTest, invites: [inviteBody(w)].map(({ test_id: _t, ...row }) => row) }),
    target: wholeTable('invitations'),
  },
  'GET /api/invites': { expect: managers(200, 200) },
  'GET /api/invites/:id': { expect: managers(200, 404) },
  'POST /api/invites/:id/cancel': {
    expect: managers(200, 404),
    target: row('invitations', (w) => w.invitation),
    after: async (t, w) => {
      w.invitation = (await newInvitation(t, w)).id;
    },
  },
  'POST /api/invites/:id/resend': {
    expect: managers(200, 404),
    target: row('invitations', (w) => w.invitation),
  },
  'GET /api/my-invites': { expect: everyone(200) },
  // Authorised by the invitation token alone: a bearer token changes nothing (the ids they show are the token's).
  'GET /api/invites/token/:token': { expect: { anonymous: 200, ...everyone(200) } },
  'POST /api/invites/token/:token/schedule': {
    expect: { anonymous: 200, ...everyone(200) },
    body: () => ({ scheduled_date: new Date(Date.now() + 3 * 86_400_000).toISOString() }),
    target: row('invitations', (w) => w.scheduledInvitation),
  },
  'GET /api/take-test/:token': { expect: { anonymous: 200, ...everyone(200) } },
  'POST /api/start-test/:token': {
    expect: { anonymous: 200, ...everyone(200) },
    target: wholeTable('test_attempts'),
  },
  'PUT /api/take-test/:token/answers': {
    expect: { anonymous: 200, ...everyone(200) },
    body: () => ({ answers: [] }),
    target: wholeTable('test_attempts'),
  },
  'POST /api/submit-test/:token': {
    expect: { anonymous: 200, ...everyone(200) },
    body: () => ({ answers: [] }),
    target: wholeTable('test_attempts'),
    after: async (t, w) => {
      w.tokens_.submit = await startedToken(t, w);
    },
  },
  'GET /api/v1/submissions/:id/media/:media_id/content': { expect: submissionObject(200) },
  'DELETE /api/v1/submissions/:id/media/:media_id': {
    // Deleting recorded answers is for staff only.
    expect: { ...submissionObject(200), candidate: 403, other_candidate: 403 },
    target: row('media_files', (w) => w.media),
    after: (t, w) => uploadMedia(t, w),
  },
};

/** A new invitation to A's timed test, by A's admin: its id and token. */
async function newInvitation(
  t: TestApp,
  w: World,
  extra: object = {},
  remember = true,
): Promise<{ id: string; token: string }> {
  const res = await t
    .http()
    .post('/api/invites')
    .set(bearer(w.tokens.admin))
    .send({ test_id: w.timedTest, applicant_email: `${unique('inv')}@example.test`, applicant_name: 'M', ...extra });
  if (res.status !== 201) throw new Error(`invitation failed: ${res.status} ${JSON.stringify(res.body)}`);
  if (remember) w.tenantAIds.add(res.body.id);
  return { id: res.body.id, token: res.body.invite_token };
}

/** A started attempt's token (the taking routes); a submit consumes it. */
async function startedToken(t: TestApp, w: World): Promise<string> {
  // not remembered as a foreign id: the token routes show their invitation to whoever holds the token
  const { token } = await newInvitation(t, w, { no_schedule: true }, false);
  await t.http().post(`/api/start-test/${token}`).expect(200);
  return token;
}

const inviteBody = (w: World) => ({
  test_id: w.timedTest,
  applicant_email: `${unique('inv')}@example.test`,
  applicant_name: 'Matrix',
});

/** Which object each path parameter names, by the path it appears in. */
function resolveParam(path: string, name: string, method: string, w: World): string {
  if (/^\/(api\/)?auth\/sessions/.test(path) && name === 'id') return w.spareSession;
  if (/^\/(api\/v1\/)?users/.test(path)) {
    if (name === 'id') return method === 'DELETE' ? w.victim.id : w.users.candidate.id;
    if (name === 'email') return w.users.candidate.email;
  }
  if (path.startsWith('/api/v1/tenants/') && name === 'id') return method === 'DELETE' ? w.spareTenant : w.tenantA;
  if (path.startsWith('/api/v1/configurations/')) {
    if (name === 'id') return w.configuration;
    if (name === 'type') return 'sjt';
  }
  if (path.startsWith('/api/v1/competencies/') && name === 'code') return w.competencyCode;
  if (path.startsWith('/api/v1/submissions/')) {
    if (name === 'id') return w.submission;
    if (name === 'user_id') return w.users.candidate.id;
    if (name === 'test_type') return 'sjt';
    if (name === 'media_id') return w.media;
  }
  if (path.startsWith('/api/v1/media/') && name === 'media_id') return w.media;
  if (path.startsWith('/api/invites/token/') && name === 'token') {
    return path.endsWith('/schedule') ? w.tokens_.schedule : w.tokens_.view;
  }
  if (/^\/api\/(take-test|start-test)\//.test(path) && name === 'token') return w.tokens_.take;
  if (path.startsWith('/api/submit-test/') && name === 'token') return w.tokens_.submit;
  if (path.startsWith('/api/invites/') && name === 'id') return w.invitation;
  if (path.startsWith('/api/tests/') && name === 'id') return method === 'DELETE' ? w.spareTest : w.test;
  if (path.startsWith('/api/v1/proctoring/sessions/') && name === 'invite_id') return w.attemptInvitation;
  if (path.startsWith('/api/results/') || path.startsWith('/api/admin/scoring/')) {
    if (name === 'id' || name === 'submission_id') return w.attempt;
    if (name === 'answer_id') return w.answer;
  }
  throw new Error(`No object for :${name} in ${method} ${path}: teach resolveParam in access-matrix.e2e-spec.ts`);
}

const DOCS_ROUTE = /^GET \/docs(-json|-yaml|\/.*)?$/;
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function servedRoutes(t: TestApp): string[] {
  const instance = t.app.getHttpAdapter().getInstance() as {
    router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] };
  };
  const routes = instance.router.stack.flatMap((layer) =>
    layer.route
      ? Object.keys(layer.route.methods)
          .filter((method) => method !== '_all')
          .map((method) => `${method.toUpperCase()} ${layer.route!.path}`)
      : [],
  );
  return routes.filter((route) => !DOCS_ROUTE.test(route));
}

describe('Access matrix: every route × every role, against tenant A', () => {
  let t: TestApp;
  let w: World;
  let routes: string[];

  beforeAll(async () => {
    // Fourteen registrations (refused, but counted against the per-IP budget of 10) from one IP.
    t = await createTestApp({ RATE_LIMIT_REGISTER_LIMIT: '1000' });
    routes = servedRoutes(t);
    const a = await createTenantWithStaff(t, { max_test_attempts: 10 });
    const b = await createTenantWithStaff(t);
    const otherCandidate = await createUser(t.db, { tenantId: a.tenant.id });
    const { superadmin, superTokens } = await createSuperadmin(t);
    const users = {
      candidate: a.candidate,
      other_candidate: otherCandidate,
      proctor: a.proctor,
      foreign_admin: b.admin,
      admin: a.admin,
      superadmin,
    };
    w = {
      tenantA: a.tenant.id,
      tenantB: b.tenant.id,
      spareTenant: (await createTenant(t.db)).id,
      users,
      tokens: {
        candidate: a.candidateTokens,
        other_candidate: await loginAs(t, otherCandidate),
        proctor: a.proctorTokens,
        foreign_admin: b.adminTokens,
        admin: a.adminTokens,
        superadmin: superTokens,
      },
      victim: await createUser(t.db, { tenantId: a.tenant.id }),
      spareSession: '',
      submission: '',
      media: '',
      configuration: '',
      competencyCode: 'MATRIX_FIXTURE',
      timedTest: '',
      invitation: '',
      tokens_: { view: '', schedule: '', take: '', submit: '' },
      scheduledInvitation: '',
      test: '',
      spareTest: '',
      attempt: '',
      attemptInvitation: '',
      answer: '',
      tenantAIds: new Set([a.tenant.id, a.admin.id, a.proctor.id, a.candidate.id, otherCandidate.id]),
      candidatePrivateIds: new Set([a.candidate.id]),
    };
    w.tenantAIds.add(w.victim.id);
    await newSpareSession(t, w);
    await newSubmission(t, w);
    await newConfiguration(t, w);
    await newSpareTest(t, w);
    const timed = await createTestWithQuestions(t, { tenantId: a.tenant.id, questions: MIXED_QUESTIONS });
    const attempt = await createSubmittedAttempt(t, timed, { answers: { [timed.questions[2].id]: 'An essay' } });
    // A's proctor watched it live (what the gateway's session:watch writes)
    await t.db.query(
      `INSERT INTO attempt_events (tenant_id, attempt_id, invitation_id, type, actor_user_id)
       VALUES ($1, $2, $3, 'proctor.watch', $4)`,
      [a.tenant.id, attempt.attemptId, attempt.invitationId, a.proctor.id],
    );
    Object.assign(w, {
      test: timed.testId,
      attempt: attempt.attemptId,
      attemptInvitation: attempt.invitationId,
      answer: attempt.answerIds[timed.questions[2].id],
    });
    for (const id of [timed.testId, timed.versionId, attempt.attemptId, attempt.invitationId, w.answer]) {
      w.tenantAIds.add(id);
    }
    for (const q of timed.questions) w.tenantAIds.add(q.id);
    const competency = await t
      .http()
      .post('/api/v1/competencies')
      .set(bearer(w.tokens.admin))
      .send({ competency_code: w.competencyCode, competency_name: 'Fixture' })
      .expect(201);
    w.tenantAIds.add(competency.body.id);
    // The timed test and the token routes' invitations are not remembered as tenant A ids: a token shows them to
    // whoever holds it (the foreign admin included), which is the point of an invitation link.
    w.timedTest = (await insertTest(t.db, a.tenant.id)).id;
    w.invitation = (await newInvitation(t, w)).id;
    const viewed = await newInvitation(t, w, {}, false);
    const scheduled = await newInvitation(t, w, {}, false);
    w.scheduledInvitation = scheduled.id;
    w.tokens_ = { view: viewed.token, schedule: scheduled.token, take: await startedToken(t, w), submit: '' };
    w.tokens_.submit = await startedToken(t, w);
    const [session] = await t.db.query(`SELECT id FROM sessions WHERE user_id = $1 ORDER BY created_at LIMIT 1`, [
      a.candidate.id,
    ]);
    w.tenantAIds.add(session.id);
    w.candidatePrivateIds.add(session.id);
  });
  afterAll(() => t.close());

  it('every served route has a policy, and every policy a route', () => {
    const missing = routes
      .filter((route) => !POLICY[route])
      .map((route) => `${route}: add it to POLICY in access-matrix.e2e-spec.ts`);
    const stale = Object.keys(POLICY)
      .filter((key) => !routes.includes(key))
      .map((key) => `${key}: no such route any more`);
    expect([...missing, ...stale]).toEqual([]);
  });

  it('every write route names the rows it acts on', () => {
    const untargeted = routes.filter(
      (route) => WRITE_METHODS.has(route.split(' ')[0]) && POLICY[route] && !POLICY[route].target,
    );
    expect(untargeted).toEqual([]);
  });

  it('every route answers every actor as the policy says; denied writes change nothing; no foreign ids leak', async () => {
    const failures: string[] = [];
    // Deletes last, so the objects the other routes need are there; consumed ones are re-created anyway.
    const ordered = [
      ...routes.filter((r) => !r.startsWith('DELETE ')),
      ...routes.filter((r) => r.startsWith('DELETE ')),
    ];
    let requests = 0;
    for (const route of ordered) {
      const policy = POLICY[route];
      if (!policy) continue;
      const [method, path] = route.split(' ');
      for (const actor of ACTORS) {
        const expected = actor === 'anonymous' ? (policy.expect.anonymous ?? 401) : policy.expect[actor];
        const url = path.replace(/:([A-Za-z_]+)/g, (_m, name: string) =>
          encodeURIComponent(resolveParam(path, name, method, w)),
        );
        const label = `${actor} ${method} ${url} (${route})`;
        const before = WRITE_METHODS.has(method) && policy.target ? await snapshot(policy.target(w)) : null;
        if (before?.length === 0) failures.push(`${label}: its target rows do not exist, so nothing would be compared`);

        let req = t.http()[method.toLowerCase() as 'get'](url);
        if (policy.query) req = req.query(policy.query(w));
        if (actor !== 'anonymous') req = req.set(bearer(w.tokens[actor]));
        const body = policy.body?.(w, actor);
        if (body === 'media') {
          req = req
            .set('Content-Type', `multipart/form-data; boundary=${MEDIA_BOUNDARY}`)
            .send(multipartBody(frontendParts(filePart(webm()))));
        } else if (body) {
          req = req.send(body);
        }
        const res = await req;
        requests++;

        if (res.status !== expected) {
          failures.push(`${label}: expected ${expected}, got ${res.status} ${res.body?.code ?? ''}`);
        }
        if (res.status >= 400) {
          if (
            res.body?.status_code !== res.status ||
            typeof res.body?.code !== 'string' ||
            typeof res.body?.request_id !== 'string'
          ) {
            failures.push(`${label}: ${res.status} without the error body: ${JSON.stringify(res.body)}`);
          }
        }
        if (actor === 'anonymous' && res.status === 401 && res.headers['www-authenticate'] !== 'Bearer') {
          failures.push(`${label}: 401 without WWW-Authenticate: Bearer`);
        }
        if (before && res.status >= 400) {
          const after = await snapshot(policy.target!(w));
          if (JSON.stringify(after) !== JSON.stringify(before))
            failures.push(`${label}: denied with ${res.status} but changed its target rows`);
        }
        if (res.status < 300) {
          const text = `${res.text ?? ''}${JSON.stringify(res.body ?? null)}`;
          const leaked = (ids: Set<string>) => [...ids].filter((id) => text.includes(id));
          if (actor === 'foreign_admin' && leaked(w.tenantAIds).length) {
            failures.push(`${label}: the foreign admin read tenant A ids ${leaked(w.tenantAIds).join(', ')}`);
          }
          if (actor === 'other_candidate' && leaked(w.candidatePrivateIds).length) {
            failures.push(
              `${label}: the other candidate read the candidate's ids ${leaked(w.candidatePrivateIds).join(', ')}`,
            );
          }
          if (res.status === expected && policy.after) await policy.after(t, w, actor, res);
        }
      }
    }
    // eslint-disable-next-line no-console
    console.log(`Access matrix: ${ordered.length} routes × ${ACTORS.length} actors = ${requests} requests`);
    expect(requests).toBe(ordered.length * ACTORS.length);
    expect(failures).toEqual([]);
  }, 300_000); // ~800 requests (every route × every actor): more than the default 60 s on a loaded machine

  function snapshot({ sql, params }: Snapshot): Promise<unknown[]> {
    return t.db.query(sql, params);
  }
});
