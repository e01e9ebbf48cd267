import { Injectable } from '@nestjs/common';
import { AuthenticatedContext, RequestContext } from '../../../common/context/request-context';
import { DatabaseService } from '../../../database/database.service';
import { callerScope, TenantScopedRepository } from '../../../database/tenant-scoped';
import { InvitationEntity, InvitationStatus } from '../entities/invitation.entity';
import { ListInvitationsQueryDto } from './dto/list-invitations-query.dto';

/** `%`, `_` and `\` are literal in an e-mail search. */
const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Reads and row locks of the invitations table (src/database/tenant-scoped.ts). */
@Injectable()
export class InvitationsRepository extends TenantScopedRepository<InvitationEntity> {
  constructor(db: DatabaseService) {
    super(db, InvitationEntity);
  }

  list(ctx: AuthenticatedContext, query: ListInvitationsQueryDto): Promise<[InvitationEntity[], number]> {
    const qb = this.query(ctx, 'i', callerScope(ctx, {}));
    const status = query.status ?? query.status_filter;
    if (status === 'active') qb.andWhere(`i.status IN ('sent', 'scheduled')`);
    else if (status && status !== 'all') qb.andWhere('i.status = :status', { status });
    const email = query.email ?? query.email_search;
    if (email) qb.andWhere(`i.applicant_email ILIKE :email ESCAPE '\\'`, { email: `%${escapeLike(email)}%` });
    if (query.from) qb.andWhere('i.created_at >= :from', { from: new Date(query.from) });
    if (query.to) qb.andWhere('i.created_at < :to', { to: new Date(query.to) });
    if (query.date_filter) {
      const day = new Date(`${query.date_filter}T00:00:00.000Z`);
      qb.andWhere('i.created_at >= :dayStart AND i.created_at < :dayEnd', {
        dayStart: day,
        dayEnd: new Date(day.getTime() + 86_400_000),
      });
    }
    if (query.test_id) qb.andWhere('i.test_id = :testId', { testId: query.test_id });
    return qb
      .orderBy('i.created_at', 'DESC')
      .addOrderBy('i.id', 'DESC')
      .offset(query.skip)
      .limit(query.limit)
      .getManyAndCount();
  }

  /** The caller's invitation (a superadmin: any tenant's); optionally locked FOR UPDATE. */
  findForCaller(ctx: AuthenticatedContext, id: string, lock = false): Promise<InvitationEntity | null> {
    const qb = this.query(ctx, 'i', callerScope(ctx, { id }));
    if (lock) qb.setLock('pessimistic_write');
    return qb.getOne();
  }

  /** An invitation of a known tenant, optionally locked (FOR UPDATE, or FOR SHARE for readers that must not race). */
  findInTenant(
    ctx: RequestContext,
    tenantId: string,
    id: string,
    lock: 'update' | 'share' | null = null,
    tokenHash?: Buffer,
  ): Promise<InvitationEntity | null> {
    const qb = this.query(ctx, 'i', { tenant_id: tenantId, id });
    // a token route re-checks the hash under the lock: a resend that just replaced the token wins
    if (tokenHash) qb.andWhere('i.token_hash = :tokenHash', { tokenHash });
    if (lock) qb.setLock(lock === 'update' ? 'pessimistic_write' : 'pessimistic_read');
    return qb.getOne();
  }

  /** FOR UPDATE SKIP LOCKED: null when another transaction holds the row (background workers move on). */
  lockSkipLocked(ctx: RequestContext, tenantId: string, id: string): Promise<InvitationEntity | null> {
    return this.query(ctx, 'i', { tenant_id: tenantId, id })
      .setLock('pessimistic_write')
      .setOnLocked('skip_locked')
      .getOne();
  }

  /**
   * The invitation a token hash names, every column, locked as the route needs (FOR UPDATE, FOR SHARE or none): the
   * one lookup a public token route makes across tenants, in the unit of work that then narrows to its tenant. Under
   * the lock PostgreSQL re-checks the hash, so a resend that just replaced the token wins (no row).
   */
  /** A candidate's invitations: its tenant, its e-mail (case-insensitive). */
  listForApplicant(
    ctx: AuthenticatedContext,
    query: { skip: number; limit: number },
  ): Promise<[InvitationEntity[], number]> {
    return this.query(ctx, 'i', { tenant_id: ctx.user.tenantId })
      .andWhere('lower(i.applicant_email) = lower(:email)', { email: ctx.user.email })
      .orderBy('i.created_at', 'DESC')
      .addOrderBy('i.id', 'DESC')
      .offset(query.skip)
      .limit(query.limit)
      .getManyAndCount();
  }

  /**
   * Marks open invitations past their expiry as expired, across tenants (the background sweep), claiming rows with
   * SKIP LOCKED so several instances never fight over one; returns what it changed.
   */
  async expireOverdue(ctx: RequestContext, now: Date, batch: number): Promise<{ id: string; tenant_id: string }[]> {
    const rows: { id: string; tenant_id: string }[][] | { id: string; tenant_id: string }[] = await this.db
      .manager(ctx)
      .query(
        `UPDATE invitations SET status = 'expired', updated_at = $1
          WHERE id IN (SELECT id FROM invitations
                        WHERE status IN ('sent', 'scheduled') AND expires_at <= $1
                        ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED)
          RETURNING id, tenant_id`,
        [now, batch],
      );
    // TypeORM's pg driver returns [rows, count] for UPDATE … RETURNING
    const list = Array.isArray(rows[0])
      ? (rows[0] as { id: string; tenant_id: string }[])
      : (rows as { id: string; tenant_id: string }[]);
    return list;
  }

  async setStatus(
    ctx: RequestContext,
    id: string,
    status: InvitationStatus,
    changes: Partial<InvitationEntity>,
    now: Date,
  ) {
    await this.repo(ctx).update(id, { ...changes, status, updated_at: now });
  }

  insert(ctx: RequestContext, row: Partial<InvitationEntity>): Promise<InvitationEntity> {
    return this.repo(ctx).save(this.repo(ctx).create(row));
  }

  update(ctx: RequestContext, id: string, changes: Partial<InvitationEntity>): Promise<unknown> {
    return this.repo(ctx).update(id, changes);
  }
}
