import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { Pool } from 'pg';
import { send } from '../lib/child';

/**
 * Baseline for `GET /api/v1/submissions` as an admin: bare `node:http` + a `pg` Pool of the app's size, running the
 * SQL the app sends for that call (SubmissionsRepository.list) on one pooled connection — one statement carrying the
 * page and the whole count (a scalar subquery), and a second count only for a page past the end — and answering the same JSON (toSubmissionResponse's field order and mapping) with the same X-Total-Count.
 *
 * Like the app, it connects as the plain application role and runs the queries in the app's unit of work: one
 * transaction opened together with the tenant scope in a single round trip (`START TRANSACTION; SELECT
 * set_config('app.tenant_id', …, true), set_config('app.cross_tenant', '', true)`), then COMMIT — so row-level
 * security is evaluated on both sides.
 *
 * Deliberately left out: the bearer check. The app verifies the JWT and loads session + user + tenant in its guard
 * on every request; here the admin's tenant comes from BENCH_TENANT_ID. No filters either: only skip/limit are read
 * (the call measured has none), and no validation errors are produced.
 */
const COLUMNS = [
  'id',
  'tenant_id',
  'user_id',
  'candidate_name',
  'candidate_id',
  'test_type',
  'candidate_language',
  'ui_language',
  'conversation_history',
  'analysis_result',
  'status',
  'analysis_completed',
  'analysis_completed_at',
  'configuration_id',
  'configuration_version',
  'attempt_number',
  'created_at',
  'updated_at',
];
const FILTER = ` WHERE "tenant_id" = $1`;
const PAGE_SQL =
  `SELECT ${COLUMNS.map((c) => `"${c}"`).join(', ')}, (SELECT count(*) FROM "submissions"${FILTER}) AS "total" ` +
  `FROM "submissions"${FILTER} ORDER BY "created_at" DESC, "id" DESC LIMIT $LIMIT OFFSET $SKIP`;
const COUNT_SQL = `SELECT count(*) AS "total" FROM "submissions"${FILTER}`;

type Row = Record<string, unknown>;

function toResponse(r: Row) {
  return {
    id: r.id,
    user_id: r.user_id,
    tenant_id: r.tenant_id,
    candidate_name: r.candidate_name,
    candidate_id: r.candidate_id,
    test_type: r.test_type,
    candidate_language: r.candidate_language,
    ui_language: r.ui_language,
    conversation_history: r.conversation_history,
    analysis_result: r.analysis_result,
    status: r.status,
    analysis_completed: r.analysis_completed,
    analysis_completed_at: (r.analysis_completed_at as Date | null)?.toISOString() ?? null,
    configuration_id: r.configuration_id,
    configuration_version: r.configuration_version,
    attempt_number: r.attempt_number,
    created_at: (r.created_at as Date).toISOString(),
    updated_at: (r.updated_at as Date).toISOString(),
  };
}

/** Non-negative integers from the query string, with the app's defaults and bounds (skip 0, limit 100 ≤ 500). */
function intParam(params: URLSearchParams, name: string, fallback: number, min: number, max: number): number | null {
  const raw = params.get(name);
  if (raw === null) return fallback;
  const value = Number(raw);
  return /^\d+$/.test(raw) && value >= min && value <= max ? value : null;
}

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  const tenantId = process.env.BENCH_TENANT_ID;
  if (!url || !tenantId) throw new Error('raw-submissions baseline needs DATABASE_URL and BENCH_TENANT_ID');
  const pool = new Pool({
    connectionString: url,
    max: Number(process.env.DB_POOL_SIZE ?? 10),
    connectionTimeoutMillis: 5000,
  });

  const list = async (req: IncomingMessage, res: ServerResponse) => {
    const params = new URL(req.url ?? '/', 'http://localhost').searchParams;
    const skip = intParam(params, 'skip', 0, 0, Number.MAX_SAFE_INTEGER);
    const limit = intParam(params, 'limit', 100, 1, 500);
    if (skip === null || limit === null) {
      res.writeHead(400, { 'content-type': 'application/json; charset=utf-8' }).end('{"detail":"bad skip/limit"}');
      return;
    }
    // TypeORM inlines LIMIT/OFFSET into the text; so does this (they are validated integers).
    const sql = PAGE_SQL.replace('$LIMIT', String(limit)).replace('$SKIP', String(skip));
    const client = await pool.connect();
    let rows: Row[];
    let total: number;
    try {
      await client.query(
        `START TRANSACTION; SELECT set_config('app.tenant_id', '${tenantId}', true), ` +
          `set_config('app.cross_tenant', '', true)`,
      );
      rows = (await client.query(sql, [tenantId])).rows as Row[];
      if (rows.length > 0) total = Number(rows[0].total);
      else if (skip === 0) total = 0;
      else total = Number((await client.query(COUNT_SQL, [tenantId])).rows[0]?.total ?? 0);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
    const body = JSON.stringify(rows.map(toResponse));
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      'x-total-count': String(total),
    });
    res.end(body);
  };

  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url?.split('?')[0] === '/api/v1/submissions') {
      list(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
        res.end('{"detail":"error"}');
      });
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
  process.stderr.write(`raw-submissions baseline failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
