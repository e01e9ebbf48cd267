import { Injectable } from '@nestjs/common';
import { AuthenticatedContext, RequestContext } from '../../common/context/request-context';
import { DatabaseService } from '../../database/database.service';
import { callerScope, ScopedWhere, TenantScopedRepository } from '../../database/tenant-scoped';
import type { TestType } from '../../domain/test-types';
import { ListSubmissionsQueryDto } from './dto/list-submissions-query.dto';
import { SubmissionEntity } from './entities/submission.entity';
import { managesTenant } from '../../common/auth/role-predicates';

/** Every column of SubmissionEntity, under its own name (the list reads rows as entities without hydration). */
const LIST_COLUMNS = [
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
]
  .map((c) => `"${c}"`)
  .join(', ');

/**
 * The submissions module's queries of the submissions table. Every read goes through `visibleWhere`, the one place
 * that decides which rows a caller may see: a superadmin all, an admin its tenant, a candidate its own rows in its
 * tenant (scoped through src/database/tenant-scoped.ts).
 */
@Injectable()
export class SubmissionsRepository extends TenantScopedRepository<SubmissionEntity> {
  constructor(db: DatabaseService) {
    super(db, SubmissionEntity);
  }

  /** Proctors never reach this module (their routes are 403), so "not a manager" means the candidate itself. */
  visibleWhere<W extends object>(ctx: AuthenticatedContext, where: W): ScopedWhere<SubmissionEntity> {
    return callerScope(
      ctx,
      managesTenant(ctx.user) ? where : { ...where, user_id: ctx.user.id },
    ) as ScopedWhere<SubmissionEntity>;
  }

  /**
   * One page, newest first, and the number of rows matching in all. The hottest read of the module (bench d): one
   * statement carries the page and the count (an uncorrelated scalar subquery, run once: the page keeps its
   * top-N sort and the count its own plan), and the rows are read as plain objects (the table's column names are
   * the entity's property names), skipping TypeORM's query building and entity hydration. Only a page past the end
   * (no rows, skip > 0) needs a second statement for the count.
   */
  async list(ctx: AuthenticatedContext, query: ListSubmissionsQueryDto): Promise<[SubmissionEntity[], number]> {
    const conditions: string[] = [];
    const params: unknown[] = [];
    const where = (column: string, value: unknown) => {
      params.push(value);
      conditions.push(`"${column}" = $${params.length}`);
    };
    for (const [key, value] of Object.entries(this.scoped(ctx, this.visibleWhere(ctx, {})))) {
      if (value !== undefined) where(key, value);
    }
    // Filters narrow the scope above and can never widen it: a foreign user_id or tenant_id just matches nothing.
    if (query.tenant_id) where('tenant_id', query.tenant_id);
    if (query.user_id) where('user_id', query.user_id);
    if (query.test_type) where('test_type', query.test_type);
    if (query.status) where('status', query.status);
    if (query.candidate_id) where('candidate_id', query.candidate_id);
    const filter = conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '';
    // skip and limit are validated integers (ListSubmissionsQueryDto), inlined as TypeORM does.
    const rows: (SubmissionEntity & { total: string })[] = await this.db
      .manager(ctx)
      .query(
        `SELECT ${LIST_COLUMNS}, (SELECT count(*) FROM "submissions"${filter}) AS "total" FROM "submissions"${filter} ` +
          `ORDER BY "created_at" DESC, "id" DESC LIMIT ${Number(query.limit)} OFFSET ${Number(query.skip)}`,
        params,
      );
    if (rows.length > 0) return [rows, Number(rows[0].total)];
    if (!query.skip) return [rows, 0];
    const [{ total }] = (await this.db
      .manager(ctx)
      .query(`SELECT count(*) AS "total" FROM "submissions"${filter}`, params)) as { total: string }[];
    return [rows, Number(total)];
  }

  findVisible(ctx: AuthenticatedContext, id: string): Promise<SubmissionEntity | null> {
    return this.findOne(ctx, this.visibleWhere(ctx, { id }));
  }

  /**
   * FOR UPDATE by default. Media writes take FOR SHARE: uploads to one submission proceed side by side, while a
   * submission delete waits for them (and then sees, and removes, their files) or they wait for it (and find none).
   */
  lockVisible(
    ctx: AuthenticatedContext,
    id: string,
    mode: 'pessimistic_write' | 'pessimistic_read' = 'pessimistic_write',
  ): Promise<SubmissionEntity | null> {
    return this.findOne(ctx, this.visibleWhere(ctx, { id }), { lock: { mode } });
  }

  /**
   * The newest attempt of a user and test type among the rows the caller may see, or null. The scope narrows the
   * request and never replaces it: a candidate asking for another user gets null, not its own rows.
   */
  async latestVisible(ctx: AuthenticatedContext, userId: string, testType: TestType): Promise<SubmissionEntity | null> {
    if (!managesTenant(ctx.user) && ctx.user.id !== userId) return null;
    return this.findOne(ctx, this.visibleWhere(ctx, { user_id: userId, test_type: testType }), {
      order: { attempt_number: 'DESC' },
    });
  }

  /**
   * Serialises creates of one (user, test type) until the transaction ends, so "count, check, insert" cannot
   * interleave: N parallel creates at the limit never exceed it. A transaction-level advisory lock holds no row
   * and is released on commit or rollback; a hash collision only makes two unrelated pairs wait for each other.
   * Under READ COMMITTED the count that follows sees every attempt committed by the previous holder.
   */
  async lockAttempts(ctx: RequestContext, userId: string, testType: TestType): Promise<void> {
    await this.db
      .manager(ctx)
      .query(`SELECT pg_advisory_xact_lock(hashtext('submissions.attempts'), hashtext($1 || ':' || $2))`, [
        userId,
        testType,
      ]);
  }

  /**
   * Attempts count within the user's tenant (a user moved to another tenant starts afresh under the new tenant's
   * limit); the numbering continues across tenants because it is unique per (user, test type).
   */
  async attemptStats(
    ctx: RequestContext,
    userId: string,
    testType: TestType,
    tenantId: string,
  ): Promise<{ count: number; last: number }> {
    const [row] = await this.db.manager(ctx).query(
      `SELECT count(*) FILTER (WHERE tenant_id = $3)::int AS count, coalesce(max(attempt_number), 0)::int AS last
         FROM submissions
        WHERE user_id = $1 AND test_type = $2`,
      [userId, testType, tenantId],
    );
    return row as { count: number; last: number };
  }

  /** A row the caller just wrote (or locked) in this transaction, read back as stored. */
  reload(ctx: AuthenticatedContext, id: string): Promise<SubmissionEntity> {
    return this.repo(ctx).findOneOrFail({ where: this.scoped(ctx, this.visibleWhere(ctx, { id })) });
  }
}
