import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock/clock';
import { RequestContext } from '../../common/context/request-context';
import { DatabaseService } from '../../database/database.service';
import { scoped, unscoped } from '../../database/tenant-scoped';
import { InvitationEntity } from './entities/invitation.entity';
import { hashInvitationToken, isWellFormedInvitationToken } from './invitations/invitation-token';

/**
 * Registration by invitation (SPEC §4 Auth): a valid token — not cancelled, not expired — whose invitation is
 * addressed to the registering e-mail (case-insensitive) admits a candidate into the invitation's tenant. Kept at
 * the top of the feature so the auth module can use it without reaching into the invitations' internals.
 */
@Injectable()
export class InvitationAdmissionService {
  constructor(
    private readonly db: DatabaseService,
    private readonly clock: Clock,
  ) {}

  /** The tenant the token admits `email` to, or null when the token does not admit it. */
  async tenantFor(ctx: RequestContext, token: string, email: string): Promise<string | null> {
    if (!isWellFormedInvitationToken(token)) return null;
    const invitation = await this.db.crossTenant(ctx, 'registration by invitation token', (tx) =>
      this.db.repo(tx, InvitationEntity).findOne({
        where: scoped<InvitationEntity>(
          tx,
          unscoped('registration by invitation token: the token names the tenant', {
            token_hash: hashInvitationToken(token),
          }),
        ),
      }),
    );
    if (!invitation) return null;
    if (invitation.status === 'cancelled' || invitation.status === 'expired') return null;
    const open = invitation.status === 'sent' || invitation.status === 'scheduled';
    if (open && invitation.expires_at.getTime() <= this.clock.now().getTime()) return null;
    if (invitation.applicant_email.trim().toLowerCase() !== email.trim().toLowerCase()) return null;
    return invitation.tenant_id;
  }
}
