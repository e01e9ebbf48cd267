import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { AuthenticatedContext, RequestContext } from '../../../common/context/request-context';
import { DatabaseService } from '../../../database/database.service';
import { callerScope, scoped, ScopedWhere, TenantScopedRepository, unscoped } from '../../../database/tenant-scoped';
import { InvitationEntity } from '../entities/invitation.entity';
import { QuestionEntity } from '../entities/question.entity';
import { TestAttemptEntity } from '../entities/test-attempt.entity';
import { TestVersionEntity } from '../entities/test-version.entity';
import { TestEntity } from '../entities/test.entity';
import type { NormalisedQuestion } from './question-rules';

/** The columns a version copies from its test. */
export interface VersionFields {
  title: string;
  description: string;
  duration_minutes: number;
  pass_mark_percent: string | null;
  created_by: string | null;
}

/** Invitation states that still lead to an attempt: a test with any of them cannot be deleted. */
export const OPEN_INVITATION_STATUSES = ['sent', 'scheduled', 'in_progress'] as const;

/**
 * Reads of tests, their versions and their questions (src/database/tenant-scoped.ts). Staff reads are scoped to the
 * caller (a superadmin: every tenant); the candidate-side loaders take the tenant the invitation named.
 */
@Injectable()
export class TestsRepository extends TenantScopedRepository<TestEntity> {
  constructor(db: DatabaseService) {
    super(db, TestEntity);
  }

  /**
   * A page of tests with the questions of their current version, and the total — one statement (the questions ride
   * along as a JSON array, the total on a window count), so a list costs one round trip whatever its size.
   */
  async list(
    ctx: AuthenticatedContext,
    page: { skip: number; limit: number },
    includeInactive: boolean,
  ): Promise<[Array<{ test: TestEntity; questions: QuestionEntity[] }>, number]> {
    const qb = this.query(ctx, 't', callerScope(ctx, {}));
    if (!includeInactive) qb.andWhere('t.is_active');
    const { entities, raw } = await qb
      .clone()
      .addSelect(
        `(SELECT coalesce(json_agg(q ORDER BY q.position), '[]'::json) FROM questions q
           WHERE q.test_version_id = t.current_version_id AND q.tenant_id = t.tenant_id)`,
        'questions',
      )
      .addSelect('count(*) OVER ()', 'total_count')
      .orderBy('t.created_at', 'DESC')
      .addOrderBy('t.id', 'DESC')
      .offset(page.skip)
      .limit(page.limit)
      .getRawAndEntities<{ questions: QuestionEntity[]; total_count: string }>();
    const total = raw.length > 0 ? Number(raw[0].total_count) : await qb.getCount();
    return [entities.map((test, index) => ({ test, questions: raw[index].questions })), total];
  }

  /** A test the caller may see (deleted ones included: their results still name them); optionally FOR UPDATE. */
  findVisible(ctx: AuthenticatedContext, id: string, lock = false): Promise<TestEntity | null> {
    return this.findOne(ctx, callerScope(ctx, { id }), lock ? { lock: { mode: 'pessimistic_write' } } : {});
  }

  /**
   * A test by id in a known tenant (the candidate side, once an invitation named the tenant). `share` takes FOR SHARE:
   * an edit or a delete (FOR UPDATE) waits for the caller's transaction, and the caller for theirs.
   */
  findInTenant(
    ctx: RequestContext,
    tenantId: string | undefined,
    id: string,
    lock?: 'share',
  ): Promise<TestEntity | null> {
    return this.findOne(ctx, tenantWhere(ctx, tenantId, { id }), lock ? { lock: { mode: 'pessimistic_read' } } : {});
  }

  findVersion(ctx: RequestContext, tenantId: string | undefined, versionId: string): Promise<TestVersionEntity | null> {
    return this.db
      .repo(ctx, TestVersionEntity)
      .findOne({ where: scoped<TestVersionEntity>(ctx, tenantWhere(ctx, tenantId, { id: versionId })) });
  }

  /** The questions of some versions, in position order (one query for a whole page of tests). */
  async questionsOf(
    ctx: RequestContext,
    tenantId: string | undefined,
    versionIds: string[],
  ): Promise<QuestionEntity[]> {
    if (versionIds.length === 0) return [];
    return this.db.repo(ctx, QuestionEntity).find({
      where: scoped<QuestionEntity>(ctx, tenantWhere(ctx, tenantId, { test_version_id: In(versionIds) })),
      order: { test_version_id: 'ASC', position: 'ASC' },
    });
  }

  /** True once any attempt was started on this version: from then on it is frozen. */
  versionUsed(ctx: RequestContext, tenantId: string, versionId: string): Promise<boolean> {
    return this.db
      .repo(ctx, TestAttemptEntity)
      .existsBy(scoped<TestAttemptEntity>(ctx, { tenant_id: tenantId, test_version_id: versionId }));
  }

  /** The version row and its questions, inserted; returns the version id. */
  async insertVersion(
    ctx: RequestContext,
    tenantId: string,
    testId: string,
    version: number,
    fields: VersionFields,
    questions: readonly NormalisedQuestion[],
  ): Promise<string> {
    const { identifiers } = await this.db.repo(ctx, TestVersionEntity).insert({
      tenant_id: tenantId,
      test_id: testId,
      version,
      ...fields,
    } as QueryDeepPartialEntity<TestVersionEntity>);
    const versionId = identifiers[0].id as string;
    await this.insertQuestions(ctx, tenantId, versionId, questions);
    return versionId;
  }

  /** Rewrites a version no attempt has used: its fields, and its questions replaced (they have no answers). */
  async rewriteVersion(
    ctx: RequestContext,
    tenantId: string,
    versionId: string,
    fields: VersionFields,
    questions: readonly NormalisedQuestion[],
  ): Promise<void> {
    await this.db.repo(ctx, TestVersionEntity).update({ id: versionId, tenant_id: tenantId }, fields);
    await this.db.repo(ctx, QuestionEntity).delete({ test_version_id: versionId, tenant_id: tenantId });
    await this.insertQuestions(ctx, tenantId, versionId, questions);
  }

  private async insertQuestions(
    ctx: RequestContext,
    tenantId: string,
    versionId: string,
    questions: readonly NormalisedQuestion[],
  ): Promise<void> {
    await this.db.repo(ctx, QuestionEntity).insert(
      questions.map((q) => ({
        ...q,
        tenant_id: tenantId,
        test_version_id: versionId,
      })) as QueryDeepPartialEntity<QuestionEntity>[],
    );
  }

  openInvitationCount(ctx: RequestContext, tenantId: string, testId: string): Promise<number> {
    return this.db.repo(ctx, InvitationEntity).countBy(
      scoped<InvitationEntity>(ctx, {
        tenant_id: tenantId,
        test_id: testId,
        status: In([...OPEN_INVITATION_STATUSES]),
      }),
    );
  }
}

/**
 * The tenant filter of a candidate-side or staff read: the tenant given, else the caller's scope, else (a public
 * route that resolved the id from a row of this same unit of work) no filter — row-level security bounds it.
 */
function tenantWhere<T extends { tenant_id: string }, W extends object>(
  ctx: RequestContext,
  tenantId: string | undefined,
  where: W,
): ScopedWhere<T> {
  if (tenantId) return { ...where, tenant_id: tenantId } as unknown as ScopedWhere<T>;
  if (ctx.user) return callerScope(ctx as AuthenticatedContext, where) as unknown as ScopedWhere<T>;
  return unscoped(
    'an id resolved earlier in this unit of work (asTenant bounds it)',
    where,
  ) as unknown as ScopedWhere<T>;
}
