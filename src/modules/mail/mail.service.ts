import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../../common/context/request-context';
import { DatabaseService } from '../../database/database.service';
import { EmailOutboxEntity, OutboxKind } from './entities/email-outbox.entity';

export interface InvitationEmail {
  tenantId: string;
  invitationId: string;
  kind: OutboxKind;
  to: string;
  applicantName: string;
  testTitle: string;
  /** the link that opens the test (it carries the token) */
  link: string;
  scheduledDate: Date | null;
  adminScheduled: boolean;
  noSchedule: boolean;
  expiresAt: Date;
}

/**
 * E-mail goes through an outbox (SPEC: delivered in the background with retries; the status is shown on the
 * invitation). PLACEHOLDER: queues the row only; the delivery side replaces this.
 */
@Injectable()
export class MailService {
  constructor(private readonly db: DatabaseService) {}

  /** Queues the invitation e-mail in the caller's transaction: it exists only if the invitation does. */
  async queueInvitationEmail(ctx: RequestContext, email: InvitationEmail): Promise<void> {
    await this.db.repo(ctx, EmailOutboxEntity).insert({
      tenant_id: email.tenantId,
      invitation_id: email.invitationId,
      kind: email.kind,
      to_address: email.to,
      subject: `Test Invitation: ${email.testTitle}`,
      text_body: email.link,
      html_body: email.link,
    });
  }
}
