import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../../common/context/request-context';
import { DatabaseService } from '../../database/database.service';
import { TenantScopedRepository } from '../../database/tenant-scoped';
import { EmailOutboxEntity, OutboxKind } from './entities/email-outbox.entity';

export interface NewOutboxRow {
  tenantId: string;
  invitationId: string | null;
  kind: OutboxKind;
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Why a pending e-mail was given up without being sent. */
export const SUPERSEDED = 'superseded by a newer e-mail for the same invitation';

/**
 * The outbox's queries, always for one tenant (the caller's, or the job's). It also writes the delivery columns of
 * `invitations` (`email_status`, `email_sent`, `email_sent_at`, `email_error`): a deliberate cross-table write, kept
 * here because the delivery outcome is known only to this module and must land in the same transaction as the
 * outbox row it belongs to (the invitation shows its send status, SPEC of the product: README "E-mail").
 */
@Injectable()
export class MailRepository extends TenantScopedRepository<EmailOutboxEntity> {
  constructor(db: DatabaseService) {
    super(db, EmailOutboxEntity);
  }

  async insert(ctx: RequestContext, row: NewOutboxRow): Promise<string> {
    const result = await this.repo(ctx).insert({
      tenant_id: row.tenantId,
      invitation_id: row.invitationId,
      kind: row.kind,
      to_address: row.to,
      subject: row.subject,
      text_body: row.text,
      html_body: row.html,
    });
    return (result.identifiers[0] as { id: string }).id;
  }

  /**
   * Gives up the invitation's e-mails still waiting: they carry a link the new one replaces. A row a worker is
   * delivering right now is locked and skipped (it cannot be recalled, and waiting for it could deadlock with the
   * worker, which then updates the invitation this transaction has locked).
   */
  async supersedePending(ctx: RequestContext, tenantId: string, invitationId: string): Promise<number> {
    const rows: unknown[] = await this.db.manager(ctx).query(
      `UPDATE email_outbox SET status = 'failed', last_error = $3
        WHERE id IN (SELECT id FROM email_outbox
                      WHERE tenant_id = $1 AND invitation_id = $2 AND status = 'pending'
                      FOR UPDATE SKIP LOCKED)
        RETURNING id`,
      [tenantId, invitationId, SUPERSEDED],
    );
    return rows.length;
  }

  /** The row locked for delivery, or null when another worker holds it ('busy') or it does not exist ('gone'). */
  async claim(ctx: RequestContext, tenantId: string, id: string): Promise<EmailOutboxEntity | 'busy' | 'gone'> {
    const locked = await this.findOne(
      ctx,
      { id, tenant_id: tenantId },
      { lock: { mode: 'pessimistic_write', onLocked: 'skip_locked' } },
    );
    if (locked) return locked;
    return (await this.exists(ctx, { id, tenant_id: tenantId })) ? 'busy' : 'gone';
  }

  async markSent(ctx: RequestContext, row: EmailOutboxEntity, at: Date): Promise<void> {
    await this.repo(ctx).update(
      { id: row.id, tenant_id: row.tenant_id },
      { status: 'sent', sent_at: at, attempts: row.attempts + 1, last_error: null },
    );
  }

  async markFailed(
    ctx: RequestContext,
    row: EmailOutboxEntity,
    error: string,
    final: boolean,
    nextAttemptAt: Date,
  ): Promise<void> {
    await this.repo(ctx).update(
      { id: row.id, tenant_id: row.tenant_id },
      {
        status: final ? 'failed' : 'pending',
        attempts: row.attempts + 1,
        last_error: error,
        next_attempt_at: nextAttemptAt,
      },
    );
  }

  /** A new e-mail is on its way: the invitation shows it as pending until it is delivered. */
  async invitationEmailQueued(ctx: RequestContext, tenantId: string, invitationId: string): Promise<void> {
    await this.db.manager(ctx).query(
      `UPDATE invitations SET email_status = 'pending', email_sent = false, email_sent_at = NULL, email_error = NULL
        WHERE id = $1 AND tenant_id = $2`,
      [invitationId, tenantId],
    );
  }

  /**
   * The delivery outcome of `row` on its invitation, unless a newer e-mail for that invitation has been queued
   * since (the invitation shows the state of its latest e-mail).
   */
  async invitationEmailOutcome(
    ctx: RequestContext,
    row: EmailOutboxEntity,
    outcome: { status: 'sent'; at: Date } | { status: 'pending' | 'failed'; error: string },
  ): Promise<void> {
    if (!row.invitation_id) return;
    const sent = outcome.status === 'sent';
    await this.db.manager(ctx).query(
      `UPDATE invitations i
          SET email_status = $3::varchar,
              email_sent = CASE WHEN $3::varchar = 'sent' THEN true ELSE i.email_sent END,
              email_sent_at = CASE WHEN $3::varchar = 'sent' THEN $4::timestamptz ELSE i.email_sent_at END,
              email_error = $5::text
        WHERE i.id = $1 AND i.tenant_id = $2
          AND NOT EXISTS (SELECT 1 FROM email_outbox o
                           WHERE o.invitation_id = i.id AND o.tenant_id = i.tenant_id
                             AND o.id <> $6::uuid AND o.created_at > $7::timestamptz)`,
      [
        row.invitation_id,
        row.tenant_id,
        outcome.status,
        sent ? outcome.at : null,
        sent ? null : outcome.error,
        row.id,
        row.created_at,
      ],
    );
  }

  /**
   * Pending e-mails whose delivery should have happened long ago (`next_attempt_at` before `before`): their job was
   * never queued (jobs were off everywhere) or was lost (a run cut short on its last attempt). Every tenant's rows:
   * run in a cross-tenant unit of work.
   */
  stranded(
    ctx: RequestContext,
    before: Date,
    limit: number,
  ): Promise<Pick<EmailOutboxEntity, 'id' | 'tenant_id' | 'attempts'>[]> {
    return this.db.manager(ctx).query(
      `SELECT id, tenant_id, attempts FROM email_outbox
        WHERE status = 'pending' AND next_attempt_at < $1
        ORDER BY next_attempt_at LIMIT $2`,
      [before, limit],
    );
  }

  /** Pushes the expected time of the next attempt, so that a requeued row is not picked again at once. */
  async deferred(ctx: RequestContext, tenantId: string, id: string, until: Date): Promise<void> {
    await this.repo(ctx).update({ id, tenant_id: tenantId, status: 'pending' }, { next_attempt_at: until });
  }
}
