import { Injectable } from '@nestjs/common';
import { Clock } from '../../../common/clock/clock';
import { AuthenticatedContext, RequestContext } from '../../../common/context/request-context';
import { Page, PaginationQueryDto } from '../../../common/http/pagination';
import { AppConfigService } from '../../../config/app-config.service';
import { DatabaseService } from '../../../database/database.service';
import { AuditService } from '../../audit/audit.service';
import { MailService } from '../../mail/mail.service';
import { InvitationEntity } from '../entities/invitation.entity';
import { TestEntity } from '../entities/test.entity';
import { CreateInvitationDto, InviteeDto } from './dto/create-invitation.dto';
import {
  CandidateInvitationResponse,
  InvitationResponse,
  InvitationWithTokenResponse,
  toCandidateInvitationResponse,
  toInvitationResponse,
} from './dto/invitation.response';
import { ListInvitationsQueryDto } from './dto/list-invitations-query.dto';
import { isOverdue } from './invitation-access.service';
import { newInvitationToken } from './invitation-token';
import { INVALID_INVITATION_DATE, INVITATION_NOT_FOUND, INVITATION_STATE_CONFLICT } from './invitations.errors';
import { InvitationsRepository } from './invitations.repository';
import { TestContentReader } from './test-content.reader';

const DAY_MS = 86_400_000;

/** What makes an invitation besides its invitee: settings shared by every row of a bulk request. */
export interface InvitationSettings {
  admin_scheduled?: boolean;
  no_schedule?: boolean;
  expires_at?: string;
  extra_time_percent?: number;
}

/**
 * Invitations as staff manage them (SPEC §4 "Invitations", §5). Every state change locks the row (FOR UPDATE) in
 * its transaction and checks the state machine there: sent → scheduled → in_progress → completed, plus expired and
 * cancelled; anything else is 409. The token is made here, returned once (create, resend) and only its hash kept;
 * the e-mail is queued in the same transaction, so it exists exactly when the invitation does.
 */
@Injectable()
export class InvitationsService {
  constructor(
    private readonly db: DatabaseService,
    private readonly invitations: InvitationsRepository,
    private readonly tests: TestContentReader,
    private readonly mail: MailService,
    private readonly audit: AuditService,
    private readonly config: AppConfigService,
    private readonly clock: Clock,
  ) {}

  async create(ctx: AuthenticatedContext, dto: CreateInvitationDto): Promise<InvitationWithTokenResponse> {
    return this.db.transaction(ctx, async (tx) => this.createOne(tx, await this.activeTest(tx, dto.test_id), dto, dto));
  }

  async list(ctx: AuthenticatedContext, query: ListInvitationsQueryDto): Promise<Page<InvitationResponse>> {
    return this.db.transaction(ctx, async (tx) => {
      const [rows, total] = await this.invitations.list(tx, query);
      const titles = await this.tests.titles(
        tx,
        rows.map((row) => row.test_id),
      );
      return { items: rows.map((row) => toInvitationResponse(row, titles.get(row.test_id) ?? null)), total };
    });
  }

  /** A candidate's own invitations: its tenant, its e-mail (case-insensitive); never a token. */
  async listMine(ctx: AuthenticatedContext, query: PaginationQueryDto): Promise<Page<CandidateInvitationResponse>> {
    return this.db.transaction(ctx, async (tx) => {
      const [rows, total] = await this.invitations.listForApplicant(tx, query);
      const titles = await this.tests.titles(
        tx,
        rows.map((row) => row.test_id),
      );
      return { items: rows.map((row) => toCandidateInvitationResponse(row, titles.get(row.test_id) ?? null)), total };
    });
  }

  async get(ctx: AuthenticatedContext, id: string): Promise<InvitationResponse> {
    return this.db.transaction(ctx, async (tx) => {
      const row = await this.invitations.findForCaller(tx, id);
      if (!row) throw INVITATION_NOT_FOUND();
      return this.withTitle(tx, row);
    });
  }

  /** Only an invitation nobody has started can be cancelled (a running attempt is ended by a proctor instead). */
  async cancel(ctx: AuthenticatedContext, id: string): Promise<InvitationResponse> {
    return this.db.transaction(ctx, async (tx) => {
      const row = await this.lock(tx, id);
      if (row.status !== 'sent' && row.status !== 'scheduled') {
        throw INVITATION_STATE_CONFLICT(`An invitation in status ${row.status} cannot be cancelled`);
      }
      const now = this.clock.now();
      await this.invitations.update(tx, row.id, { status: 'cancelled', cancelled_at: now, updated_at: now });
      const after = await this.reload(tx, row);
      await this.audit.record(tx, {
        action: 'invitation.cancel',
        resourceType: 'invitation',
        resourceId: row.id,
        tenantId: row.tenant_id,
        oldValues: toInvitationResponse(row, null),
        newValues: after,
      });
      return after;
    });
  }

  /** A new token (the old one stops working at once) and a new e-mail; not once the invitation is over. */
  async resend(ctx: AuthenticatedContext, id: string): Promise<InvitationWithTokenResponse> {
    return this.db.transaction(ctx, async (tx) => {
      const row = await this.lock(tx, id);
      const now = this.clock.now();
      if (!['sent', 'scheduled', 'in_progress'].includes(row.status) || isOverdue(row, now)) {
        const status = isOverdue(row, now) ? 'expired' : row.status;
        throw INVITATION_STATE_CONFLICT(`An invitation in status ${status} cannot be resent`);
      }
      const { token, hash } = newInvitationToken();
      await this.invitations.update(tx, row.id, {
        token_hash: hash,
        email_status: 'pending',
        email_sent: false,
        email_sent_at: null,
        email_error: null,
        updated_at: now,
      });
      const after = await this.reload(tx, row);
      await this.queueEmail(tx, row, after.test_title ?? '', token, 'resend');
      await this.audit.record(tx, {
        action: 'invitation.resend',
        resourceType: 'invitation',
        resourceId: row.id,
        tenantId: row.tenant_id,
        oldValues: toInvitationResponse(row, null),
        newValues: { ...after, token: 'replaced' },
      });
      return { ...after, invite_token: token, invite_link: this.link(token) };
    });
  }

  /**
   * The active test the caller may invite to (a superadmin: any tenant's), held FOR SHARE in the caller's
   * transaction so it cannot be deleted under a new invitation; 404 TEST_NOT_FOUND otherwise.
   */
  async activeTest(ctx: AuthenticatedContext, testId: string): Promise<TestEntity> {
    return (await this.tests.current(ctx, testId)).test;
  }

  /** One invitation and its e-mail, in the caller's transaction `tx`. */
  async createOne(
    tx: AuthenticatedContext,
    test: TestEntity,
    invitee: InviteeDto,
    settings: InvitationSettings,
  ): Promise<InvitationWithTokenResponse> {
    const now = this.clock.now();
    const expiresAt = settings.expires_at
      ? new Date(settings.expires_at)
      : new Date(now.getTime() + this.config.values.timedTests.invitationExpiryDays * DAY_MS);
    const scheduled = invitee.scheduled_date ? new Date(invitee.scheduled_date) : null;
    checkDates(now, expiresAt, scheduled, settings);
    const { token, hash } = newInvitationToken();
    const adminScheduled = Boolean(settings.admin_scheduled && scheduled);
    const row = await this.invitations.insert(tx, {
      tenant_id: test.tenant_id,
      test_id: test.id,
      applicant_email: invitee.applicant_email,
      applicant_name: invitee.applicant_name,
      invited_by: tx.user.id,
      token_hash: hash,
      expires_at: expiresAt,
      scheduled_date: scheduled,
      admin_scheduled: adminScheduled,
      no_schedule: settings.no_schedule ?? false,
      extra_time_percent: settings.extra_time_percent ?? 0,
      status: adminScheduled ? 'scheduled' : 'sent',
      created_at: now,
      updated_at: now,
    });
    const created = await this.reload(tx, row);
    await this.queueEmail(tx, row, test.title, token, 'invitation');
    await this.audit.record(tx, {
      action: 'invitation.create',
      resourceType: 'invitation',
      resourceId: row.id,
      tenantId: row.tenant_id,
      newValues: created,
    });
    return { ...created, invite_token: token, invite_link: this.link(token) };
  }

  private link(token: string): string {
    return `${this.config.values.publicBaseUrl.replace(/\/+$/, '')}/take/${token}`;
  }

  private async queueEmail(
    tx: RequestContext,
    row: InvitationEntity,
    testTitle: string,
    token: string,
    kind: 'invitation' | 'resend',
  ): Promise<void> {
    await this.mail.queueInvitationEmail(tx, {
      tenantId: row.tenant_id,
      invitationId: row.id,
      kind,
      to: row.applicant_email,
      applicantName: row.applicant_name,
      testTitle,
      link: this.link(token),
      scheduledDate: row.scheduled_date,
      adminScheduled: row.admin_scheduled,
      noSchedule: row.no_schedule,
      expiresAt: row.expires_at,
    });
  }

  private async lock(tx: AuthenticatedContext, id: string): Promise<InvitationEntity> {
    const row = await this.invitations.findForCaller(tx, id, true);
    if (!row) throw INVITATION_NOT_FOUND();
    return row;
  }

  private async reload(tx: RequestContext, row: InvitationEntity): Promise<InvitationResponse> {
    const fresh = await this.invitations.findInTenant(tx, row.tenant_id, row.id);
    return this.withTitle(tx, fresh!);
  }

  private async withTitle(ctx: RequestContext, row: InvitationEntity): Promise<InvitationResponse> {
    const titles = await this.tests.titles(ctx, [row.test_id]);
    return toInvitationResponse(row, titles.get(row.test_id) ?? null);
  }
}

/** Dates of a new invitation: expiry in the future; a schedule in the future and before expiry, and consistent. */
function checkDates(now: Date, expiresAt: Date, scheduled: Date | null, settings: InvitationSettings): void {
  if (expiresAt.getTime() <= now.getTime()) throw INVALID_INVITATION_DATE('expires_at', 'must be in the future');
  if (scheduled) {
    if (scheduled.getTime() <= now.getTime()) {
      throw INVALID_INVITATION_DATE('scheduled_date', 'must be in the future');
    }
    if (scheduled.getTime() >= expiresAt.getTime()) {
      throw INVALID_INVITATION_DATE('scheduled_date', 'must be before expires_at');
    }
    if (settings.no_schedule) {
      throw INVALID_INVITATION_DATE('scheduled_date', 'must not be given with no_schedule');
    }
  } else if (settings.admin_scheduled) {
    throw INVALID_INVITATION_DATE('scheduled_date', 'is required with admin_scheduled');
  }
}
