import { Injectable } from '@nestjs/common';
import { Clock } from '../../../common/clock/clock';
import { RequestContext } from '../../../common/context/request-context';
import { AuditService } from '../../audit/audit.service';
import { InvitationEntity } from '../entities/invitation.entity';
import { ScheduleInvitationDto } from './dto/create-invitation.dto';
import { toCandidateInvitationResponse } from './dto/invitation.response';
import { PublicInvitationResponse } from './dto/public-invitation.response';
import { AttemptSummary, InvitationAccessService, TokenTest } from './invitation-access.service';
import { INVALID_INVITATION_DATE, INVITATION_STATE_CONFLICT, SCHEDULE_FIXED_BY_ADMIN } from './invitations.errors';
import { InvitationsRepository } from './invitations.repository';
import { CandidateTest, TestContentReader, toCandidateTest } from './test-content.reader';

/** The invitation routes a candidate reaches with the token alone (no account): view and (re)schedule. */
@Injectable()
export class PublicInvitationsService {
  constructor(
    private readonly access: InvitationAccessService,
    private readonly invitations: InvitationsRepository,
    private readonly tests: TestContentReader,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  view(ctx: RequestContext, token: string): Promise<PublicInvitationResponse> {
    return this.access.withToken(ctx, token, null, async (tx, invitation, attempt, current) => {
      const test = await this.candidateTest(tx, invitation, attempt, current);
      return { invite: toCandidateInvitationResponse(invitation, test.title), test };
    });
  }

  /**
   * The candidate picks (or moves) its time: only while sent/scheduled, never over an admin-fixed schedule, to a
   * future time before the invitation expires.
   */
  schedule(ctx: RequestContext, token: string, dto: ScheduleInvitationDto): Promise<PublicInvitationResponse> {
    return this.access.withToken(ctx, token, 'update', async (tx, invitation, attempt, current) => {
      if (invitation.status !== 'sent' && invitation.status !== 'scheduled') {
        throw INVITATION_STATE_CONFLICT(`An invitation in status ${invitation.status} cannot be rescheduled`);
      }
      if (invitation.admin_scheduled) throw SCHEDULE_FIXED_BY_ADMIN();
      const now = this.clock.now();
      const at = new Date(dto.scheduled_date);
      if (at.getTime() <= now.getTime()) throw INVALID_INVITATION_DATE('scheduled_date', 'must be in the future');
      if (at.getTime() >= invitation.expires_at.getTime()) {
        throw INVALID_INVITATION_DATE('scheduled_date', 'must be before the invitation expires');
      }
      await this.invitations.update(tx, invitation.id, {
        scheduled_date: at,
        status: 'scheduled',
        no_schedule: false,
        updated_at: now,
      });
      const after = (await this.invitations.findInTenant(tx, invitation.tenant_id, invitation.id))!;
      await this.audit.record(tx, {
        action: 'invitation.schedule',
        resourceType: 'invitation',
        resourceId: invitation.id,
        tenantId: invitation.tenant_id,
        userId: null,
        oldValues: { status: invitation.status, scheduled_date: invitation.scheduled_date },
        newValues: { status: after.status, scheduled_date: after.scheduled_date },
      });
      const test = await this.candidateTest(tx, after, attempt, current);
      return { invite: toCandidateInvitationResponse(after, test.title), test };
    });
  }

  /** The version the candidate's attempt uses once started, else the one a new attempt would use. */
  private async candidateTest(
    tx: RequestContext,
    invitation: InvitationEntity,
    attempt: AttemptSummary | null,
    current: TokenTest,
  ): Promise<CandidateTest> {
    const content = attempt
      ? await this.tests.version(tx, invitation.tenant_id, attempt.test_version_id)
      : await this.tests.forNewAttempt(tx, invitation, current);
    return toCandidateTest(content);
  }
}
