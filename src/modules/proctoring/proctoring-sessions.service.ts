import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock/clock';
import { AuthenticatedContext } from '../../common/context/request-context';
import { Page } from '../../common/http/pagination';
import { AppConfigService } from '../../config/app-config.service';
import { DatabaseService } from '../../database/database.service';
import { AuditService } from '../audit/audit.service';
import { ListSessionsQueryDto } from './dto/proctoring-queries.dto';
import {
  IceServersResponse,
  ProctoringSessionDetailResponse,
  ProctoringSessionResponse,
  SessionReviewResponse,
} from './dto/proctoring-session.response';
import { ReviewSessionDto } from './dto/review-session.dto';
import { iceServersFor } from './ice-servers';
import { toReviewResponse, toSessionDetail, toSessionResponse } from './proctoring-session.view';
import { PROCTORING_REVIEW_NOT_ALLOWED, PROCTORING_SESSION_NOT_FOUND } from './proctoring.errors';
import { ProctoringSessionsRepository, SessionFilters } from './proctoring-sessions.repository';

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** from/to as [from, until): a date-only `to` means the whole of that day (UTC), as the results list reads it. */
export function sessionFilters(query: ListSessionsQueryDto): SessionFilters {
  const filters: SessionFilters = {
    tenantId: query.tenant_id,
    status: query.status,
    reviewStatus: query.review_status,
    testId: query.test_id,
  };
  if (query.from) filters.from = new Date(DATE_ONLY.test(query.from) ? `${query.from}T00:00:00Z` : query.from);
  if (query.to) {
    filters.until = DATE_ONLY.test(query.to)
      ? new Date(new Date(`${query.to}T00:00:00Z`).getTime() + 86_400_000)
      : new Date(new Date(query.to).getTime() + 1);
  }
  return filters;
}

/** Who the proctor is, when the caller is one: proctors see live sessions and the ended ones they watched. */
const watcherOf = (ctx: AuthenticatedContext): string | undefined =>
  ctx.user.role === 'proctor' ? ctx.user.id : undefined;

/**
 * Proctoring sessions over REST (docs/proctoring.md, "REST"): the list and detail staff read, the review they give,
 * and the ICE servers a signed-in page needs. The live side (sockets, watch, flags, messages) is the gateway's.
 */
@Injectable()
export class ProctoringSessionsService {
  constructor(
    private readonly db: DatabaseService,
    private readonly sessions: ProctoringSessionsRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly config: AppConfigService,
  ) {}

  async list(ctx: AuthenticatedContext, query: ListSessionsQueryDto): Promise<Page<ProctoringSessionResponse>> {
    const filters = { ...sessionFilters(query), watcherId: watcherOf(ctx) };
    const [rows, total] = await this.db.transaction(ctx, (tx) =>
      this.sessions.list(tx, filters, { skip: query.skip, limit: query.limit }),
    );
    return { items: rows.map(toSessionResponse), total };
  }

  async get(ctx: AuthenticatedContext, inviteId: string): Promise<ProctoringSessionDetailResponse> {
    return this.db.transaction(ctx, async (tx) => {
      const session = await this.sessions.findSession(tx, inviteId, watcherOf(tx));
      if (!session) throw PROCTORING_SESSION_NOT_FOUND();
      const [timeline, review] = await Promise.all([
        this.sessions.timeline(tx, session),
        this.sessions.review(tx, session),
      ]);
      return toSessionDetail(session, timeline, review);
    });
  }

  /**
   * Replaces the session's review (PUT: an omitted comment clears it). The first review inserts (a concurrent first
   * review loses the insert and updates instead, under the row's lock, so the audit's old values are always the
   * ones replaced); each review appends a `review` event to the attempt's log and an audit row with old and new
   * values. An invitation without an attempt has no session: 404, like an unknown one.
   */
  async review(ctx: AuthenticatedContext, inviteId: string, dto: ReviewSessionDto): Promise<SessionReviewResponse> {
    return this.db.transaction(ctx, async (tx) => {
      const key = await this.sessions.sessionKey(tx, inviteId);
      if (!key) throw PROCTORING_SESSION_NOT_FOUND();
      if (tx.user.role === 'proctor' && !(await this.sessions.watched(tx, key.attempt_id, tx.user.id))) {
        // an ended session it did not watch is invisible to it; a live one it may see but not judge
        if (key.attempt_status !== 'in_progress') throw PROCTORING_SESSION_NOT_FOUND();
        throw PROCTORING_REVIEW_NOT_ALLOWED();
      }
      const now = this.clock.now();
      const fields = {
        status: dto.status,
        comment: dto.comment ?? null,
        reviewed_by: tx.user.id,
        reviewed_at: now,
        updated_at: now,
      };
      const target = { invite_id: key.invite_id, tenant_id: key.tenant_id };
      let old = null;
      const inserted = await this.sessions.insertReview(tx, {
        ...fields,
        tenant_id: key.tenant_id,
        invitation_id: key.invite_id,
        attempt_id: key.attempt_id,
        created_at: now,
      });
      if (!inserted) {
        old = await this.sessions.review(tx, target, true);
        await this.sessions.updateReview(tx, { invitation_id: key.invite_id, tenant_id: key.tenant_id }, fields);
      }
      const before = old ? { status: old.status, comment: old.comment, reviewed_by: old.reviewed_by } : null;
      const after = { status: fields.status, comment: fields.comment, reviewed_by: fields.reviewed_by };
      await this.sessions.appendEvent(tx, key, 'review', {
        status: fields.status,
        previous_status: old?.status ?? null,
        comment: fields.comment,
      });
      await this.audit.record(tx, {
        action: 'proctoring.review',
        resourceType: 'proctoring_session',
        resourceId: key.invite_id,
        tenantId: key.tenant_id,
        oldValues: before,
        newValues: { ...after, attempt_id: key.attempt_id },
      });
      return toReviewResponse((await this.sessions.review(tx, target))!);
    });
  }

  /** ICE servers for a signed-in user's page; TURN credentials are bound to the user id (docs/proctoring.md). */
  iceServers(ctx: AuthenticatedContext): IceServersResponse {
    return iceServersFor(this.config.values, ctx.user.id, this.clock.now());
  }
}
