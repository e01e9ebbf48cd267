import { DataSource } from 'typeorm';
import { bearer, createSuperadmin, createTenantWithStaff, TenantRow, Tokens, UserRow } from './factories';
import { TestApp } from './test-app';

/**
 * The fixtures most e2e specs share: two tenants with staff, readers of the rows a request wrote, and factories for
 * submissions, configurations and media files that go through the app (its HTTP API, or its TypeORM repositories on
 * the app's own DataSource where a test needs a value the API cannot produce: a past created_at, a chosen storage
 * key, a system-scope configuration). A test that changes a tenant's settings (allowed_test_types,
 * max_test_attempts, deactivation) makes its own tenant with `createTenantWithStaff(t, overrides)` instead of
 * mutating `a` or `b`.
 */

/** A tenant with an admin, a proctor and a candidate, all logged in. */
export type Staff = Awaited<ReturnType<typeof createTenantWithStaff>>;

export interface TwoTenants {
  a: Staff;
  b: Staff;
  superadmin: UserRow;
  superTokens: Tokens;
  superadminId: string;
}

/** Two tenants (admin, proctor and candidate each, logged in) and a logged-in superadmin. */
export async function setupTwoTenants(t: TestApp, tenantOverrides: Partial<TenantRow> = {}): Promise<TwoTenants> {
  const a = await createTenantWithStaff(t, tenantOverrides);
  const b = await createTenantWithStaff(t, tenantOverrides);
  const { superadmin, superTokens } = await createSuperadmin(t);
  return { a, b, superadmin, superTokens, superadminId: superadmin.id };
}

/** Tables a test reads back by id. */
export type Table =
  | 'tenants'
  | 'users'
  | 'sessions'
  | 'refresh_tokens'
  | 'submissions'
  | 'media_files'
  | 'configurations'
  | 'competency_dictionaries'
  | 'audit_logs';

/** A database row as pg returns it (untyped, as `db.query` gives it: tests pick the columns they assert). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Row = Record<string, any>;

/** The whole row of `table` with this id as the database has it now, or undefined when there is none. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function dbRow(db: DataSource, table: Table, id: string): Promise<any> {
  const rows: Row[] = await db.query(`SELECT * FROM ${table} WHERE id = $1`, [id]);
  return rows[0];
}

/** The audit entries about one resource (of one action, if given), oldest first. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function auditRows(db: DataSource, resourceId: string, action?: string): Promise<any[]> {
  return db.query(
    `SELECT * FROM audit_logs WHERE resource_id = $1 ${action ? 'AND action = $2' : ''} ORDER BY created_at, id`,
    action ? [resourceId, action] : [resourceId],
  );
}

/** The storage key of a media file's row, or undefined once the row is gone. */
export async function storageKeyOf(db: DataSource, mediaId: string): Promise<string | undefined> {
  return (await dbRow(db, 'media_files', mediaId))?.storage_key;
}

/** `Date` that long before now, e.g. `ago('40 days')`, `ago('23 hours')`. */
export function ago(interval: string): Date {
  const match = /^(\d+) (second|minute|hour|day)s?$/.exec(interval);
  if (!match) throw new Error(`ago(): unsupported interval ${interval}`);
  const unit = { second: 1_000, minute: 60_000, hour: 3_600_000, day: 86_400_000 }[match[2] as 'second'];
  return new Date(Date.now() - Number(match[1]) * unit);
}

// ---- submissions -------------------------------------------------------------------------------------------------

/** A submission created through the API by `tokens`' user (for itself); the response body. */
export async function createSubmission(
  t: TestApp,
  tokens: { access_token: string },
  body: Record<string, unknown> = {},
): Promise<Row & { id: string; tenant_id: string }> {
  const res = await t
    .http()
    .post('/api/v1/submissions')
    .set(bearer(tokens))
    .send({
      candidate_name: 'Ada Lovelace',
      test_type: 'SJT',
      conversation_history: [
        { question: 'Q1', answer: 'A1' },
        { question: 'Q1.a', answer: 'A1.a' },
      ],
      ...body,
    });
  if (res.status !== 201) throw new Error(`submission failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/**
 * A submission row saved through the app's repository, for values the API cannot produce (an attempt number past
 * the limit, a created_at in the past). Returns its id.
 */
export async function storeSubmission(
  t: TestApp,
  fields: { tenant_id: string; user_id: string; test_type: string; attempt_number: number; created_at?: Date } & Row,
): Promise<string> {
  const saved = await t.db.getRepository('submissions').save({
    candidate_name: 'Fixture',
    conversation_history: [],
    ...fields,
  });
  return saved.id as string;
}

// ---- configurations ----------------------------------------------------------------------------------------------

/** A configuration saved through the API (POST /api/v1/configurations, 201); the response body. */
export async function createConfiguration(t: TestApp, tokens: Tokens, body: Record<string, unknown>): Promise<Row> {
  return (await t.http().post('/api/v1/configurations').set(bearer(tokens)).send(body).expect(201)).body;
}

/**
 * A configuration row saved through the app's repository (for versions and system-scope rows a test sets up
 * directly). `tenant_id: null` is the system scope. Returns its id.
 */
export async function storeConfiguration(
  t: TestApp,
  fields: { tenant_id: string | null; config_type: string; version: number; is_active?: boolean; config_data?: object },
): Promise<string> {
  const saved = await t.db.getRepository('configurations').save({
    scope: fields.tenant_id ? 'tenant' : 'system',
    config_data: {},
    is_active: true,
    ...fields,
  });
  return saved.id as string;
}

// ---- media -------------------------------------------------------------------------------------------------------

/**
 * A media_files row saved through the app's repository, with a storage key the test chooses (no object is stored;
 * uploads through the API are `postMedia` in media-upload.ts). Returns its id.
 */
export async function storeMediaFile(
  t: TestApp,
  fields: { tenant_id: string; submission_id: string; storage_key: string } & Row,
): Promise<string> {
  const saved = await t.db.getRepository('media_files').save({
    storage_provider: 'local',
    file_name: 'Q1_video.webm',
    file_type: 'video',
    mime_type: 'video/webm',
    file_size: 1234,
    question_index: 0,
    ...fields,
  });
  return saved.id as string;
}
