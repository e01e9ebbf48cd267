import { Injectable } from '@nestjs/common';
import { Clock } from '../../../common/clock/clock';
import { AuthenticatedContext, RequestContext } from '../../../common/context/request-context';
import { targetTenant } from '../../../common/context/tenant-scope';
import { VALIDATION_ERROR } from '../../../common/errors/common.errors';
import { Page } from '../../../common/http/pagination';
import { DatabaseService } from '../../../database/database.service';
import { AuditService } from '../../audit/audit.service';
import { TENANT_NOT_FOUND } from '../../tenants';
import { TenantDirectoryService } from '../../tenants/tenant-directory.service';
import { QuestionEntity } from '../entities/question.entity';
import { TestVersionEntity } from '../entities/test-version.entity';
import { TestEntity } from '../entities/test.entity';
import { ListTestsQueryDto } from './dto/test-queries.dto';
import { CreateTestDto, TestInputDto, UpdateTestDto } from './dto/test-input.dto';
import { TestResponse, toTestResponse } from './dto/test.response';
import { NormalisedQuestion, normaliseQuestions } from './question-rules';
import { TEST_DELETED, TEST_HAS_OPEN_INVITATIONS, TEST_NOT_FOUND } from './tests.errors';
import { TestsRepository, VersionFields } from './tests.repository';

/** A test with one of its versions and that version's questions in position order. */
export interface LoadedTestVersion {
  test: TestEntity;
  version: TestVersionEntity;
  questions: QuestionEntity[];
}

/** What an audit row keeps of a test: its header and the shape of its questions, not their text or keys. */
function auditView(t: TestResponse) {
  return {
    id: t.id,
    title: t.title,
    duration_minutes: t.duration_minutes,
    pass_mark_percent: t.pass_mark_percent,
    version: t.version,
    is_active: t.is_active,
    question_count: t.question_count,
    total_points: t.total_points,
  };
}

/**
 * Timed tests (admins of the tenant; a superadmin everywhere). A test's questions live in versions: an edit rewrites
 * the current version while no attempt has used it, else makes version + 1 — attempts keep the questions they had.
 */
@Injectable()
export class TestsService {
  constructor(
    private readonly db: DatabaseService,
    private readonly tests: TestsRepository,
    private readonly audit: AuditService,
    private readonly tenants: TenantDirectoryService,
    private readonly clock: Clock,
  ) {}

  async list(ctx: AuthenticatedContext, query: ListTestsQueryDto): Promise<Page<TestResponse>> {
    const [rows, total] = await this.db.transaction(ctx, (tx) =>
      this.tests.list(tx, query, query.include_inactive ?? false),
    );
    return { items: rows.map(({ test, questions }) => toTestResponse(test, questions)), total };
  }

  async get(ctx: AuthenticatedContext, id: string): Promise<TestResponse> {
    return this.db.transaction(ctx, async (tx) => this.render(tx, await this.find(tx, id)));
  }

  async create(ctx: AuthenticatedContext, dto: CreateTestDto): Promise<TestResponse> {
    const tenantId = targetTenant(ctx, dto.tenant_id);
    const questions = validQuestions(dto);
    return this.db.transaction(ctx, async (tx) => {
      if (tenantId !== ctx.user.tenantId && !(await this.tenants.exists(tx, tenantId))) throw TENANT_NOT_FOUND();
      const fields = this.versionFields(ctx, dto);
      const { identifiers } = await this.db.repo(tx, TestEntity).insert({
        tenant_id: tenantId,
        title: fields.title,
        description: fields.description,
        duration_minutes: fields.duration_minutes,
        pass_mark_percent: fields.pass_mark_percent,
        created_by: ctx.user.id,
        version: 1,
      });
      const testId = identifiers[0].id as string;
      const versionId = await this.tests.insertVersion(tx, tenantId, testId, 1, fields, questions);
      await this.db.repo(tx, TestEntity).update({ id: testId, tenant_id: tenantId }, { current_version_id: versionId });
      const created = await this.render(tx, await this.find(tx, testId));
      await this.audit.record(tx, {
        action: 'test.create',
        resourceType: 'test',
        resourceId: testId,
        tenantId,
        newValues: auditView(created),
      });
      return created;
    });
  }

  /**
   * Replaces the test. The test row is locked (FOR UPDATE) so edits, deletes and attempt starts (FOR SHARE on the
   * candidate side) take turns. An identical body changes nothing.
   */
  async update(ctx: AuthenticatedContext, id: string, dto: UpdateTestDto): Promise<TestResponse> {
    const questions = validQuestions(dto);
    return this.db.transaction(ctx, async (tx) => {
      const test = await this.find(tx, id, true);
      if (!test.is_active) throw TEST_DELETED();
      const before = await this.render(tx, test);
      const fields = this.versionFields(ctx, dto);
      if (sameTest(before, fields, questions)) return before;
      const versionId = test.current_version_id!;
      let version = test.version;
      let currentVersionId = versionId;
      if (await this.tests.versionUsed(tx, test.tenant_id, versionId)) {
        version += 1;
        currentVersionId = await this.tests.insertVersion(tx, test.tenant_id, test.id, version, fields, questions);
      } else {
        await this.tests.rewriteVersion(tx, test.tenant_id, versionId, fields, questions);
      }
      await this.db.repo(tx, TestEntity).update(
        { id: test.id, tenant_id: test.tenant_id },
        {
          title: fields.title,
          description: fields.description,
          duration_minutes: fields.duration_minutes,
          pass_mark_percent: fields.pass_mark_percent,
          current_version_id: currentVersionId,
          version,
          updated_at: this.clock.now(),
        },
      );
      const after = await this.render(tx, await this.find(tx, test.id));
      await this.audit.record(tx, {
        action: 'test.update',
        resourceType: 'test',
        resourceId: test.id,
        tenantId: test.tenant_id,
        oldValues: auditView(before),
        newValues: { ...auditView(after), new_version: version !== test.version },
      });
      return after;
    });
  }

  /** Soft delete: refused (409) while invitations of the test are sent, scheduled or in progress. */
  async remove(ctx: AuthenticatedContext, id: string): Promise<TestResponse> {
    return this.db.transaction(ctx, async (tx) => {
      const test = await this.find(tx, id, true);
      const before = await this.render(tx, test);
      if (!test.is_active) return before;
      if ((await this.tests.openInvitationCount(tx, test.tenant_id, test.id)) > 0) throw TEST_HAS_OPEN_INVITATIONS();
      const now = this.clock.now();
      await this.db
        .repo(tx, TestEntity)
        .update({ id: test.id, tenant_id: test.tenant_id }, { is_active: false, deleted_at: now, updated_at: now });
      const after = await this.render(tx, await this.find(tx, test.id));
      await this.audit.record(tx, {
        action: 'test.delete',
        resourceType: 'test',
        resourceId: test.id,
        tenantId: test.tenant_id,
        oldValues: auditView(before),
        newValues: auditView(after),
      });
      return after;
    });
  }

  /**
   * A version by id, whatever the test's state (attempts keep the version they started on, even after an edit or a
   * delete). `tenantId`: the tenant an invitation named; without it the caller's scope. 404 TEST_NOT_FOUND if absent.
   */
  async loadVersion(ctx: RequestContext, versionId: string, tenantId?: string): Promise<LoadedTestVersion> {
    const version = await this.tests.findVersion(ctx, tenantId, versionId);
    if (!version) throw TEST_NOT_FOUND();
    const test = await this.tests.findInTenant(ctx, version.tenant_id, version.test_id);
    if (!test) throw TEST_NOT_FOUND();
    const questions = await this.tests.questionsOf(ctx, version.tenant_id, [version.id]);
    return { test, version, questions };
  }

  /**
   * The version new attempts use. A deleted test is 404 unless `includeDeleted`. `lock: 'share'` holds the test row
   * FOR SHARE until the caller's transaction ends, so an edit or delete cannot slip between reading the version and
   * writing the attempt or invitation that depends on it (call it inside a transaction).
   */
  async loadCurrentVersion(
    ctx: RequestContext,
    testId: string,
    options: { tenantId?: string; includeDeleted?: boolean; lock?: 'share' } = {},
  ): Promise<LoadedTestVersion> {
    const test = await this.tests.findInTenant(ctx, options.tenantId, testId, options.lock);
    if (!test || !test.current_version_id || (!test.is_active && !options.includeDeleted)) throw TEST_NOT_FOUND();
    const version = await this.tests.findVersion(ctx, test.tenant_id, test.current_version_id);
    if (!version) throw TEST_NOT_FOUND();
    const questions = await this.tests.questionsOf(ctx, test.tenant_id, [version.id]);
    return { test, version, questions };
  }

  private async find(ctx: AuthenticatedContext, id: string, lock = false): Promise<TestEntity> {
    const test = await this.tests.findVisible(ctx, id, lock);
    if (!test) throw TEST_NOT_FOUND();
    return test;
  }

  private async render(ctx: AuthenticatedContext, test: TestEntity): Promise<TestResponse> {
    const questions = test.current_version_id
      ? await this.tests.questionsOf(ctx, test.tenant_id, [test.current_version_id])
      : [];
    return toTestResponse(test, questions);
  }

  private versionFields(ctx: AuthenticatedContext, dto: TestInputDto): VersionFields {
    return {
      title: dto.title,
      description: dto.description ?? '',
      duration_minutes: dto.duration_minutes,
      pass_mark_percent:
        dto.pass_mark_percent === undefined || dto.pass_mark_percent === null ? null : String(dto.pass_mark_percent),
      created_by: ctx.user.id,
    };
  }
}

function validQuestions(dto: TestInputDto): NormalisedQuestion[] {
  const { questions, errors } = normaliseQuestions(dto.questions);
  if (errors.length > 0) throw VALIDATION_ERROR(errors, errors[0].message);
  return questions;
}

/** True when the body would store exactly what the test has now. */
function sameTest(current: TestResponse, fields: VersionFields, questions: readonly NormalisedQuestion[]): boolean {
  const passMark = fields.pass_mark_percent === null ? null : Number(fields.pass_mark_percent);
  if (
    current.title !== fields.title ||
    current.description !== fields.description ||
    current.duration_minutes !== fields.duration_minutes ||
    current.pass_mark_percent !== passMark ||
    current.questions.length !== questions.length
  ) {
    return false;
  }
  return current.questions.every((q, i) => {
    const n = questions[i];
    return (
      q.type === n.type &&
      q.question === n.question &&
      q.points === n.points &&
      q.correct_answer === n.correct_answer &&
      q.expected_language === n.expected_language &&
      JSON.stringify(q.options) === JSON.stringify(n.options) &&
      JSON.stringify(q.correct_answers) === JSON.stringify(n.correct_answers)
    );
  });
}
