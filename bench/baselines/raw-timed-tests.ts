import { createHash } from 'node:crypto';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { Pool, PoolClient } from 'pg';
import { send } from '../lib/child';

/**
 * Baseline of (g): bare `node:http` + a `pg` Pool of the app's size, answering
 *
 * - `GET /api/tests` as the admin of BENCH_TENANT_ID: one statement for the page — each test with its current
 *   version's questions as a JSON array and the total on a window count (TestsRepository.list); the same JSON as
 *   `toTestResponse` (field order included) and the same X-Total-Count;
 * - `GET /api/take-test/{token}` for an invitation whose attempt is in progress: the token's SHA-256 looked up across
 *   tenants (the invitation with its attempt, through `invitation_by_token`, which scopes the unit to its tenant in
 *   the round trip of BEGIN), then the attempt's version, its test and its questions (TestsService.loadVersion; cached per process after the first read, as
 *   TestContentReader.version does), and the saved answers; the same JSON as TakingService.take.
 *
 * The statements are the ones the app sends for these calls, copied from PostgreSQL's log (log_statement=all, see
 * BENCH_PG_LOG in bench/lib/database.ts), in the same units of work: each a transaction on one pooled connection,
 * opened the way DatabaseService opens it (BENCH_RLS=1: `START TRANSACTION; SELECT set_config(…)` in one round trip,
 * as the row-level-security units of work do; otherwise a plain `START TRANSACTION`), then COMMIT.
 *
 * Deliberately left out: the bearer check of /api/tests (JWT + the session/user/tenant query of the guard), the
 * token-route rate limits (in-memory counters in the app) and the error answers (only the happy path is measured:
 * unknown, expired and finished invitations are answered 404/410/409 without the app's bodies).
 */
const RLS = process.env.BENCH_RLS === '1';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const TEST_COLUMNS = [
  'id',
  'tenant_id',
  'title',
  'description',
  'duration_minutes',
  'pass_mark_percent',
  'current_version_id',
  'version',
  'created_by',
  'is_active',
  'deleted_at',
  'created_at',
  'updated_at',
];
const QUESTION_COLUMNS = [
  'id',
  'tenant_id',
  'test_version_id',
  'position',
  'type',
  'question',
  'options',
  'correct_answer',
  'correct_answers',
  'expected_language',
  'points',
];
const INVITATION_COLUMNS = [
  'id',
  'tenant_id',
  'test_id',
  'applicant_email',
  'applicant_name',
  'invited_by',
  'expires_at',
  'scheduled_date',
  'admin_scheduled',
  'no_schedule',
  'extra_time_percent',
  'status',
  'email_status',
  'email_sent',
  'email_sent_at',
  'email_error',
  'started_at',
  'completed_at',
  'cancelled_at',
  'created_at',
  'updated_at',
];
const ATTEMPT_COLUMNS = [
  'id',
  'tenant_id',
  'invitation_id',
  'test_id',
  'test_version_id',
  'applicant_email',
  'status',
  'started_at',
  'deadline',
  'submitted_at',
  'auto_score',
  'manual_score',
  'final_score',
  'scoring_status',
  'passed',
  'reviewed_by',
  'review_completed_at',
  'idempotency_key',
  'submit_response',
  'is_monitored',
  'created_at',
  'updated_at',
];
const VERSION_COLUMNS = [
  'id',
  'tenant_id',
  'test_id',
  'version',
  'title',
  'description',
  'duration_minutes',
  'pass_mark_percent',
  'created_by',
  'created_at',
];
const ANSWER_COLUMNS = [
  'id',
  'tenant_id',
  'attempt_id',
  'question_id',
  'answer',
  'saved_at',
  'is_correct',
  'auto_points',
  'manual_score',
  'manual_score_status',
  'reviewer_id',
  'review_comments',
  'reviewed_at',
];

/** TypeORM's select list: `"alias"."column" AS "alias_column"`. */
const select = (alias: string, columns: string[]) =>
  columns.map((c) => `"${alias}"."${c}" AS "${alias}_${c}"`).join(', ');

const TESTS_PAGE_SQL =
  `SELECT ${select('t', TEST_COLUMNS)}, (SELECT coalesce(json_agg(q ORDER BY q.position), '[]'::json) FROM questions q ` +
  `WHERE q.test_version_id = "t"."current_version_id" AND q.tenant_id = "t"."tenant_id") AS "questions", ` +
  `count(*) OVER () AS "total_count" FROM "tests" "t" WHERE "t"."tenant_id" = $1 AND "t"."is_active" ` +
  `ORDER BY "t"."created_at" DESC, "t"."id" DESC LIMIT $LIMIT OFFSET $SKIP`;
/** Only for a page past the end (never the measured call): TypeORM's getCount. */
const TESTS_COUNT_SQL = `SELECT COUNT(DISTINCT("t"."id")) AS "cnt" FROM "tests" "t" WHERE "t"."tenant_id" = $1 AND "t"."is_active"`;
const Q = 'QuestionEntity';
const questionsOfVersionsSql = (n: number) =>
  `SELECT ${select(Q, QUESTION_COLUMNS)} FROM "questions" "${Q}" WHERE (("${Q}"."test_version_id" IN ` +
  `(${Array.from({ length: n }, (_, i) => `$${i + 1}`).join(', ')})) AND ("${Q}"."tenant_id" = $${n + 1})) ` +
  `ORDER BY "${Q}"."test_version_id" ASC, "${Q}"."position" ASC`;

const INVITATION_SQL = `SELECT ${select('i', INVITATION_COLUMNS)} FROM "invitations" "i" WHERE "i"."token_hash" = $1`;
const A = 'TestAttemptEntity';
const ATTEMPT_SQL =
  `SELECT ${select(A, ATTEMPT_COLUMNS)} FROM "test_attempts" "${A}" ` +
  `WHERE (("${A}"."tenant_id" = $1) AND ("${A}"."invitation_id" = $2)) LIMIT 1`;
const V = 'TestVersionEntity';
const VERSION_SQL =
  `SELECT ${select(V, VERSION_COLUMNS)} FROM "test_versions" "${V}" ` +
  `WHERE (("${V}"."id" = $1) AND ("${V}"."tenant_id" = $2)) LIMIT 1`;
const T = 'TestEntity';
const TEST_SQL =
  `SELECT ${select(T, TEST_COLUMNS)} FROM "tests" "${T}" ` +
  `WHERE (("${T}"."id" = $1) AND ("${T}"."tenant_id" = $2)) LIMIT 1`;
const AN = 'AttemptAnswerEntity';
const ANSWERS_SQL =
  `SELECT ${select(AN, ANSWER_COLUMNS)} FROM "attempt_answers" "${AN}" ` +
  `WHERE (("${AN}"."tenant_id" = $1) AND ("${AN}"."attempt_id" = $2)) ORDER BY "${AN}"."saved_at" ASC`;

type Row = Record<string, unknown>;

const iso = (value: unknown) => (value === null ? null : (value as Date).toISOString());

/**
 * A token route's unit of work. With RLS, as DatabaseService.unitScopedBy opens it: one simple-protocol message with
 * BEGIN, an empty scope and the call of `invitation_by_token` whose row scopes the unit to its tenant; the row's
 * invitation columns (renamed as the select of the non-RLS path names them) and its attempt. Without RLS: the unit,
 * the lookup by hash, and `attempt` undefined (the caller reads it).
 */
async function tokenUnit<T>(
  pool: Pool,
  hash: Buffer,
  work: (client: PoolClient, invitation: Row | undefined, attempt: Row | undefined | null) => Promise<T>,
): Promise<T> {
  if (!RLS) {
    return unit(pool, { reason: 'public invitation token' }, async (client) =>
      work(client, (await client.query(INVITATION_SQL, [hash])).rows[0] as Row | undefined, undefined),
    );
  }
  const lookup =
    `SELECT r.*, set_config('app.tenant_id', r.tenant_id::text, true) AS unit_tenant ` +
    `FROM invitation_by_token('\\x${hash.toString('hex')}'::bytea, 'none') r`;
  return unit(
    pool,
    { tenantId: '' },
    async (client, rows) => {
      const row = rows[0];
      let invitation: Row | undefined;
      let attempt: Row | null = null;
      if (row) {
        invitation = {};
        for (const [key, value] of Object.entries(row)) {
          if (!key.startsWith('attempt_') && key !== 'unit_tenant') invitation[`i_${key}`] = value;
        }
        if (row.attempt_id) {
          attempt = {
            [`${A}_id`]: row.attempt_id,
            [`${A}_status`]: row.attempt_status,
            [`${A}_started_at`]: row.attempt_started_at,
            [`${A}_deadline`]: row.attempt_deadline,
            [`${A}_test_version_id`]: row.attempt_test_version_id,
          };
        }
      }
      return work(client, invitation, attempt);
    },
    lookup,
  );
}

/**
 * One unit of work, as DatabaseService opens it: a transaction on one pooled connection (scoped when BENCH_RLS=1).
 * `first` (RLS only) travels in the same simple-protocol message as BEGIN, as `unitScopedBy`'s lookup does; its rows
 * are handed to `work`.
 */
async function unit<T>(
  pool: Pool,
  scope: { tenantId: string } | { reason: string },
  work: (client: PoolClient, firstRows: Row[]) => Promise<T>,
  first?: string,
): Promise<T> {
  const client = await pool.connect();
  try {
    let firstRows: Row[] = [];
    if (RLS) {
      const tenant = 'tenantId' in scope ? scope.tenantId : '';
      const reason = 'reason' in scope ? scope.reason : '';
      const begin =
        `START TRANSACTION; SELECT set_config('app.tenant_id', '${tenant}', true), ` +
        `set_config('app.cross_tenant', '${reason}', true)`;
      if (first === undefined) {
        await client.query(begin);
      } else {
        const results = (await client.query(`${begin}; ${first}`)) as unknown as { rows: Row[] }[];
        firstRows = results[results.length - 1].rows;
      }
    } else {
      await client.query('START TRANSACTION');
    }
    const result = await work(client, firstRows);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** A question of the page's JSON array (json_agg of the row: its columns by name). */
function toQuestionResponse(q: Row) {
  return {
    id: q.id,
    type: q.type,
    question: q.question,
    options: q.options,
    correct_answer: q.correct_answer,
    correct_answers: q.correct_answers,
    expected_language: q.expected_language,
    points: q.points as number,
  };
}

function toTestResponse(t: Row) {
  const ordered = [...(t.questions as Row[])].sort((a, b) => (a.position as number) - (b.position as number));
  const passMark = t.t_pass_mark_percent as string | null;
  return {
    id: t.t_id,
    tenant_id: t.t_tenant_id,
    title: t.t_title,
    description: t.t_description,
    duration_minutes: t.t_duration_minutes,
    pass_mark_percent: passMark === null ? null : Number(passMark),
    version: t.t_version,
    created_by: t.t_created_by,
    created_at: iso(t.t_created_at),
    updated_at: iso(t.t_updated_at),
    is_active: t.t_is_active,
    question_count: ordered.length,
    total_points: ordered.reduce((sum, q) => sum + (q.points as number), 0),
    questions: ordered.map(toQuestionResponse),
  };
}

/** Non-negative integers from the query string, with the app's defaults and bounds (skip 0, limit 100 ≤ 500). */
function intParam(params: URLSearchParams, name: string, fallback: number, min: number, max: number): number | null {
  const raw = params.get(name);
  if (raw === null) return fallback;
  const value = Number(raw);
  return /^\d+$/.test(raw) && value >= min && value <= max ? value : null;
}

function json(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  const tenantId = process.env.BENCH_TENANT_ID;
  if (!url || !tenantId) throw new Error('raw-timed-tests baseline needs DATABASE_URL and BENCH_TENANT_ID');
  const pool = new Pool({
    connectionString: url,
    max: Number(process.env.DB_POOL_SIZE ?? 10),
    connectionTimeoutMillis: 5000,
  });

  const listTests = async (req: IncomingMessage, res: ServerResponse) => {
    const params = new URL(req.url ?? '/', 'http://localhost').searchParams;
    const skip = intParam(params, 'skip', 0, 0, Number.MAX_SAFE_INTEGER);
    const limit = intParam(params, 'limit', 100, 1, 500);
    if (skip === null || limit === null) return json(res, 400, '{"detail":"bad skip/limit"}');
    // TypeORM inlines LIMIT/OFFSET into the text; so does this (they are validated integers).
    const sql = TESTS_PAGE_SQL.replace('$LIMIT', String(limit)).replace('$SKIP', String(skip));
    const { rows, total } = await unit(pool, { tenantId }, async (client) => {
      const page = (await client.query(sql, [tenantId])).rows as Row[];
      const count =
        page.length > 0
          ? Number(page[0].total_count)
          : Number(((await client.query(TESTS_COUNT_SQL, [tenantId])).rows[0] as Row | undefined)?.cnt ?? 0);
      return { rows: page, total: count };
    });
    json(res, 200, JSON.stringify(rows.map(toTestResponse)), { 'x-total-count': String(total) });
  };

  const versions = new Map<string, { version: Row; questions: Row[] }>();
  const take = async (token: string, res: ServerResponse) => {
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return json(res, 404, '{"detail":"not found"}');
    const hash = createHash('sha256').update(token, 'utf8').digest();
    // InvitationAccessService.withToken: one unit of work. With RLS (DatabaseService.unitScopedBy) it is opened by
    // the lookup: BEGIN, the self-scoping SQL function invitation_by_token (the invitation with its attempt) and the
    // scoping to its tenant in one simple-protocol round trip. Without RLS: the lookup by hash, then the attempt.
    const answer = await tokenUnit(pool, hash, async (client, invitation, tokenAttempt) => {
      if (!invitation || !UUID.test(String(invitation.i_tenant_id))) return { status: 404 };
      const tenant = invitation.i_tenant_id as string;
      if (invitation.i_status === 'cancelled') return { status: 404 };
      if (invitation.i_status === 'expired') return { status: 410 };
      const now = new Date();
      const attempt =
        tokenAttempt === undefined
          ? ((await client.query(ATTEMPT_SQL, [tenant, invitation.i_id])).rows[0] as Row | undefined)
          : tokenAttempt;
      // the measured call: an attempt in progress (not started, finished or overdue invitations are not measured)
      if (!attempt || attempt[`${A}_status`] !== 'in_progress' || invitation.i_status === 'completed') {
        return { status: 409 };
      }
      // TestContentReader.version: an attempt's version (immutable) is cached per process after its first read
      const versionId = attempt[`${A}_test_version_id`] as string;
      let content = versions.get(versionId);
      if (!content || content.version[`${V}_tenant_id`] !== tenant) {
        const version = (await client.query(VERSION_SQL, [versionId, tenant])).rows[0] as Row | undefined;
        if (!version) return { status: 404 };
        // TestsService.loadVersion: the version, its test (it must exist), the version's questions
        const test = (await client.query(TEST_SQL, [version[`${V}_test_id`], tenant])).rows[0] as Row | undefined;
        if (!test) return { status: 404 };
        const questions = (await client.query(questionsOfVersionsSql(1), [version[`${V}_id`], tenant])).rows as Row[];
        content = { version, questions };
        versions.set(versionId, content);
      }
      const saved = (await client.query(ANSWERS_SQL, [tenant, attempt[`${A}_id`]])).rows as Row[];
      return { status: 200, invitation, attempt, version: content.version, questions: content.questions, saved, now };
    });
    if (answer.status !== 200) return json(res, answer.status, '{"detail":"not measured"}');
    const {
      invitation: inv,
      attempt,
      version: v,
      questions,
      saved,
      now,
    } = answer as Required<typeof answer> & {
      invitation: Row;
      attempt: Row;
      version: Row;
      questions: Row[];
      saved: Row[];
      now: Date;
    };
    const deadline = attempt[`${A}_deadline`] as Date;
    const body = JSON.stringify({
      invite: {
        id: inv.i_id,
        test_id: inv.i_test_id,
        test_title: v[`${V}_title`],
        applicant_email: inv.i_applicant_email,
        applicant_name: inv.i_applicant_name,
        scheduled_date: iso(inv.i_scheduled_date),
        admin_scheduled: inv.i_admin_scheduled,
        no_schedule: inv.i_no_schedule,
        status: inv.i_status,
        expires_at: iso(inv.i_expires_at),
        extra_time_percent: inv.i_extra_time_percent,
        started_at: iso(inv.i_started_at),
        completed_at: iso(inv.i_completed_at),
        created_at: iso(inv.i_created_at),
      },
      test: {
        id: v[`${V}_test_id`],
        version: v[`${V}_version`],
        title: v[`${V}_title`],
        description: v[`${V}_description`],
        duration_minutes: v[`${V}_duration_minutes`],
        question_count: questions.length,
        total_points: questions.reduce((sum, q) => sum + (q[`${Q}_points`] as number), 0),
        questions: questions.map((q) => ({
          id: q[`${Q}_id`],
          type: q[`${Q}_type`],
          question: q[`${Q}_question`],
          options: q[`${Q}_options`],
          expected_language: q[`${Q}_expected_language`],
          points: q[`${Q}_points`],
        })),
      },
      server_time: now.toISOString(),
      started_at: iso(attempt[`${A}_started_at`]),
      deadline: deadline.toISOString(),
      remaining_time_seconds: Math.max(0, Math.floor((deadline.getTime() - now.getTime()) / 1000)),
      saved_answers: saved.map((row) => ({
        question_id: row[`${AN}_question_id`],
        answer: row[`${AN}_answer`],
        saved_at: iso(row[`${AN}_saved_at`]),
      })),
    });
    json(res, 200, body);
  };

  const server = createServer((req, res) => {
    const path = req.url?.split('?')[0] ?? '';
    const fail = () => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
      res.end('{"detail":"error"}');
    };
    if (req.method === 'GET' && path === '/api/tests') {
      listTests(req, res).catch(fail);
      return;
    }
    const takeMatch = /^\/api\/take-test\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && takeMatch) {
      take(decodeURIComponent(takeMatch[1]), res).catch(fail);
      return;
    }
    res.writeHead(404).end();
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  send({ event: 'ready', port: typeof address === 'object' && address ? address.port : 0 });

  process.on('SIGTERM', () => {
    server.close(() => void pool.end().finally(() => process.exit(0)));
    server.closeAllConnections();
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`raw-timed-tests baseline failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
