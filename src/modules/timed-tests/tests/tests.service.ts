import { Injectable } from '@nestjs/common';
import { RequestContext } from '../../../common/context/request-context';
import { QuestionEntity } from '../entities/question.entity';
import { TestVersionEntity } from '../entities/test-version.entity';
import { TestEntity } from '../entities/test.entity';
import { TEST_NOT_FOUND } from './tests.errors';
import { TestsRepository } from './tests.repository';

/** A test with one of its versions and that version's questions in position order. */
export interface LoadedTestVersion {
  test: TestEntity;
  version: TestVersionEntity;
  questions: QuestionEntity[];
}

@Injectable()
export class TestsService {
  constructor(private readonly tests: TestsRepository) {}

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
   * The version new attempts use. A deleted test is 404 unless `includeDeleted` (an invitation that completed before
   * the delete may still show its test).
   */
  async loadCurrentVersion(
    ctx: RequestContext,
    testId: string,
    options: { tenantId?: string; includeDeleted?: boolean } = {},
  ): Promise<LoadedTestVersion> {
    const test = await this.tests.findInTenant(ctx, options.tenantId, testId);
    if (!test || !test.current_version_id || (!test.is_active && !options.includeDeleted)) throw TEST_NOT_FOUND();
    const version = await this.tests.findVersion(ctx, test.tenant_id, test.current_version_id);
    if (!version) throw TEST_NOT_FOUND();
    const questions = await this.tests.questionsOf(ctx, test.tenant_id, [version.id]);
    return { test, version, questions };
  }
}
