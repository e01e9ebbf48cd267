import { Injectable } from '@nestjs/common';
import { isSuperadmin } from '../../common/auth/role-predicates';
import { AuthenticatedContext } from '../../common/context/request-context';
import { DatabaseService } from '../../database/database.service';
import { TenantScopedRepository } from '../../database/tenant-scoped';
import { ProctoringReviewEntity, ReviewStatus } from './entities/proctoring-review.entity';
import type { SessionStatus } from './dto/proctoring-queries.dto';
import type { AttemptStatus } from './dto/proctoring-session.response';

/** A session as the list and the detail read it: the attempt, its invitation, the version taken, review, counts. */
export interface SessionRow {
  attempt_id: string;
  invite_id: string;
  tenant_id: string;
  test_id: string;
  test_title: string;
  applicant_name: string;
  applicant_email: string;
  attempt_status: AttemptStatus;
  started_at: Date;
  deadline: Date;
  submitted_at: Date | null;
  review_status: ReviewStatus;
  reviewed_at: Date | null;
  integrity_events: number;
  flags: number;
  messages: number;
  watched_by: string[];
}

export interface TimelineRow {
  id: string;
  type: string;
  data: Record<string, unknown>;
  actor_user_id: string | null;
  actor_name: string | null;
  created_at: Date;
}

export interface ReviewRow {
  id: string;
  status: ReviewStatus;
  comment: string | null;
  reviewed_by: string | null;
  reviewer_name: string | null;
  reviewed_at: Date;
  created_at: Date;
  updated_at: Date;
}

/** The attempt behind an invitation, as a review needs it. */
export interface SessionKey {
  attempt_id: string;
  invite_id: string;
  tenant_id: string;
  attempt_status: AttemptStatus;
}

export interface SessionFilters {
  tenantId?: string;
  status?: SessionStatus;
  reviewStatus?: ReviewStatus;
  testId?: string;
  /** inclusive */
  from?: Date;
  /** exclusive */
  until?: Date;
  inviteId?: string;
  /** A proctor: live sessions, and ended ones it watched. */
  watcherId?: string;
}

/** A proctor watched an attempt when the attempt's log holds a `proctor.watch` event with it as actor. */
const watchedBy = (attempt: string, user: string) =>
  `EXISTS (SELECT 1 FROM attempt_events w
            WHERE w.type = 'proctor.watch' AND w.actor_user_id = ${user} AND w.attempt_id = ${attempt})`;

/**
 * Grouped over the events of the page's attempts only: one index probe per attempt of the page (EXPLAIN on 20k
 * attempts × 16 events: ~100 probes of ix_attempt_events_attempt(_type), a few ms warm), never the tenant's log.
 */
const COUNTS = `
  SELECT e.attempt_id,
         count(*) FILTER (WHERE e.type LIKE 'integrity.%')::int AS integrity_events,
         count(*) FILTER (WHERE e.type = 'proctor.flag')::int AS flags,
         count(*) FILTER (WHERE e.type = 'proctor.message')::int AS messages,
         array_agg(DISTINCT e.actor_user_id) FILTER (WHERE e.type = 'proctor.watch' AND e.actor_user_id IS NOT NULL)
           AS watched_by
    FROM attempt_events e
   WHERE e.attempt_id IN (SELECT attempt_id FROM page)
     AND (e.type LIKE 'integrity.%' OR e.type IN ('proctor.flag', 'proctor.message', 'proctor.watch'))
   GROUP BY e.attempt_id`;

/**
 * Proctoring sessions are timed-test attempts seen through their event log. A deliberate cross-table read
 * (docs/module-boundaries.md): the list joins test_attempts, invitations, test_versions, attempt_events and
 * proctoring_reviews in one statement per page, so it is written here in SQL rather than through the timed-tests
 * module's private entities. Every statement runs in the caller's unit of work (RLS: its tenant; a superadmin's is
 * cross-tenant) and also names the tenant itself unless the caller is a superadmin.
 */
@Injectable()
export class ProctoringSessionsRepository extends TenantScopedRepository<ProctoringReviewEntity> {
  constructor(db: DatabaseService) {
    super(db, ProctoringReviewEntity);
  }

  /**
   * A page of sessions, newest start first, and the total: one statement. The page is its own query, so it walks
   * ix_test_attempts_tenant_started and stops at the limit; the total counts the attempts (and reviews, for the
   * review filter) alone, as every attempt has exactly one invitation and version; the event counts are grouped
   * over the page's attempts only. The one-row total carries the page, so a page past the end still has it.
   */
  async list(
    ctx: AuthenticatedContext,
    filters: SessionFilters,
    page: { skip: number; limit: number },
  ): Promise<[SessionRow[], number]> {
    const { where, params } = this.where(ctx, filters);
    params.push(page.skip, page.limit);
    const sql = `
      WITH page AS (${SESSION_SELECT} WHERE ${where}
                    ORDER BY a.started_at DESC, a.id DESC OFFSET $${params.length - 1} LIMIT $${params.length}),
           counts AS (${COUNTS})
      SELECT t.total, p.*, c.integrity_events, c.flags, c.messages, c.watched_by
        FROM (SELECT count(*)::int AS total FROM test_attempts a ${REVIEW_JOIN} WHERE ${where}) t
        LEFT JOIN page p ON true
        LEFT JOIN counts c ON c.attempt_id = p.attempt_id
       ORDER BY p.started_at DESC, p.attempt_id DESC`;
    const rows: Array<SessionRow & { total: number }> = await this.db.manager(ctx).query(sql, params);
    const total = rows[0]?.total ?? 0;
    return [rows.filter((row) => row.attempt_id !== null).map(withDefaults), total];
  }

  /** One session by its invitation, within the caller's reach (the same rules as the list). */
  async findSession(ctx: AuthenticatedContext, inviteId: string, watcherId?: string): Promise<SessionRow | null> {
    const [rows] = await this.list(ctx, { inviteId, watcherId }, { skip: 0, limit: 1 });
    return rows[0] ?? null;
  }

  /** The invitation's attempt (any state) in the caller's tenant (a superadmin: any tenant). */
  async sessionKey(ctx: AuthenticatedContext, inviteId: string): Promise<SessionKey | null> {
    const params: unknown[] = [inviteId];
    let sql = `SELECT a.id AS attempt_id, a.invitation_id AS invite_id, a.tenant_id, a.status AS attempt_status
                 FROM test_attempts a WHERE a.invitation_id = $1`;
    if (!isSuperadmin(ctx.user)) {
      params.push(ctx.user.tenantId);
      sql += ` AND a.tenant_id = $2`;
    }
    const rows: SessionKey[] = await this.db.manager(ctx).query(sql, params);
    return rows[0] ?? null;
  }

  async watched(ctx: AuthenticatedContext, attemptId: string, userId: string): Promise<boolean> {
    const [row] = await this.db
      .manager(ctx)
      .query(`SELECT ${watchedBy('$1::uuid', '$2::uuid')} AS watched`, [attemptId, userId]);
    return row.watched === true;
  }

  /** The attempt's events in order, with the acting user's name when the caller's unit of work can see it. */
  timeline(ctx: AuthenticatedContext, session: Pick<SessionRow, 'attempt_id' | 'tenant_id'>): Promise<TimelineRow[]> {
    return this.db.manager(ctx).query(
      `SELECT e.id::text AS id, e.type, e.data, e.actor_user_id, u.full_name AS actor_name, e.created_at
         FROM attempt_events e LEFT JOIN users u ON u.id = e.actor_user_id
        WHERE e.attempt_id = $1 AND e.tenant_id = $2
        ORDER BY e.id`,
      [session.attempt_id, session.tenant_id],
    );
  }

  async review(ctx: AuthenticatedContext, session: Pick<SessionRow, 'invite_id' | 'tenant_id'>, lock = false) {
    const rows: ReviewRow[] = await this.db.manager(ctx).query(
      `SELECT r.id, r.status, r.comment, r.reviewed_by, u.full_name AS reviewer_name, r.reviewed_at, r.created_at,
              r.updated_at
         FROM proctoring_reviews r LEFT JOIN users u ON u.id = r.reviewed_by
        WHERE r.invitation_id = $1 AND r.tenant_id = $2 ${lock ? 'FOR UPDATE OF r' : ''}`,
      [session.invite_id, session.tenant_id],
    );
    return rows[0] ?? null;
  }

  /** Inserts the session's first review; false when one exists already (then update it under its row lock). */
  async insertReview(ctx: AuthenticatedContext, row: Omit<ProctoringReviewEntity, 'id'>): Promise<boolean> {
    const result = await this.repo(ctx).createQueryBuilder().insert().values(row).orIgnore().returning('id').execute();
    return result.raw.length > 0;
  }

  async updateReview(
    ctx: AuthenticatedContext,
    key: { invitation_id: string; tenant_id: string },
    fields: Pick<ProctoringReviewEntity, 'status' | 'comment' | 'reviewed_by' | 'reviewed_at' | 'updated_at'>,
  ): Promise<void> {
    await this.repo(ctx).update(key, fields);
  }

  /** Appends to the attempt's log (append-only table; the timed-tests module owns its other writers). */
  async appendEvent(
    ctx: AuthenticatedContext,
    key: SessionKey,
    type: string,
    data: Record<string, unknown>,
  ): Promise<string> {
    const [row] = await this.db.manager(ctx).query(
      `INSERT INTO attempt_events (tenant_id, attempt_id, invitation_id, type, data, actor_user_id)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6) RETURNING id::text AS id`,
      [key.tenant_id, key.attempt_id, key.invite_id, type, JSON.stringify(data), ctx.user.id],
    );
    return row.id as string;
  }

  /** The WHERE clause of the sessions the caller may see, with its parameters ($1…). */
  private where(ctx: AuthenticatedContext, filters: SessionFilters): { where: string; params: unknown[] } {
    const params: unknown[] = [];
    const conditions: string[] = [];
    const add = (condition: (n: string) => string, value: unknown) => {
      params.push(value);
      conditions.push(condition(`$${params.length}`));
    };
    // the caller's tenant, or every tenant for a superadmin (RLS enforces the same underneath)
    if (!isSuperadmin(ctx.user)) add((n) => `a.tenant_id = ${n}`, ctx.user.tenantId);
    if (filters.tenantId) add((n) => `a.tenant_id = ${n}`, filters.tenantId);
    if (filters.inviteId) add((n) => `a.invitation_id = ${n}`, filters.inviteId);
    if (filters.status)
      conditions.push(filters.status === 'live' ? `a.status = 'in_progress'` : `a.status <> 'in_progress'`);
    if (filters.reviewStatus) add((n) => `coalesce(r.status, 'not_reviewed') = ${n}`, filters.reviewStatus);
    if (filters.testId) add((n) => `a.test_id = ${n}`, filters.testId);
    if (filters.from) add((n) => `a.started_at >= ${n}`, filters.from);
    if (filters.until) add((n) => `a.started_at < ${n}`, filters.until);
    if (filters.watcherId) {
      add((n) => `(a.status = 'in_progress' OR ${watchedBy('a.id', n)})`, filters.watcherId);
    }
    return { where: conditions.length ? conditions.join(' AND ') : 'true', params };
  }
}

const REVIEW_JOIN = `LEFT JOIN proctoring_reviews r ON r.invitation_id = a.invitation_id AND r.tenant_id = a.tenant_id`;

/** The page's columns; `where` conditions name only `a` (test_attempts) and `r` (proctoring_reviews). */
const SESSION_SELECT = `
  SELECT a.id AS attempt_id, a.invitation_id AS invite_id, a.tenant_id, a.test_id, v.title AS test_title,
         i.applicant_name, a.applicant_email, a.status AS attempt_status, a.started_at, a.deadline, a.submitted_at,
         coalesce(r.status, 'not_reviewed') AS review_status, r.reviewed_at
    FROM test_attempts a
    JOIN invitations i ON i.id = a.invitation_id AND i.tenant_id = a.tenant_id
    JOIN test_versions v ON v.id = a.test_version_id AND v.tenant_id = a.tenant_id
    ${REVIEW_JOIN}`;

function withDefaults(row: SessionRow & { total?: number }): SessionRow {
  const { total: _total, ...session } = row;
  return {
    ...session,
    integrity_events: session.integrity_events ?? 0,
    flags: session.flags ?? 0,
    messages: session.messages ?? 0,
    watched_by: session.watched_by ?? [],
  };
}
