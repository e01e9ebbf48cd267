import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../../common/context/request-context';
import { JobsService } from '../../common/jobs/jobs.service';
import { DatabaseService } from '../../database/database.service';
import { InvitationEmail, renderInvitationEmail } from './invitation-email';
import { MAIL_DELIVER_QUEUE, MailDeliverJob } from './mail-delivery.service';
import { MailRepository } from './mail.repository';

export type { InvitationEmail } from './invitation-email';

/**
 * E-mail goes through an outbox (`email_outbox`): a row written in the caller's transaction, and a `mail.deliver`
 * job queued in that same transaction, so the e-mail exists exactly when the invitation change that asked for it
 * commits. Delivery happens in the background (MailDeliveryService) with retries; the invitation shows its status.
 */
@Injectable()
export class MailService {
  constructor(
    private readonly db: DatabaseService,
    private readonly outbox: MailRepository,
    private readonly jobs: JobsService,
  ) {}

  /** Queues the invitation e-mail in the caller's transaction: it exists only if the invitation does. */
  async queueInvitationEmail(ctx: RequestContext, email: InvitationEmail): Promise<void> {
    const rendered = renderInvitationEmail(email);
    // Joins the caller's transaction when there is one (the usual case); otherwise one unit of work of its own.
    await this.db.asTenant(ctx, email.tenantId, async (tx) => {
      await this.outbox.supersedePending(tx, email.tenantId, email.invitationId);
      const outboxId = await this.outbox.insert(tx, {
        tenantId: email.tenantId,
        invitationId: email.invitationId,
        kind: email.kind,
        to: email.to,
        ...rendered,
      });
      await this.outbox.invitationEmailQueued(tx, email.tenantId, email.invitationId);
      await this.jobs.send<MailDeliverJob>(
        tx,
        MAIL_DELIVER_QUEUE,
        { outboxId, tenantId: email.tenantId },
        { singletonKey: outboxId },
      );
    });
  }
}
