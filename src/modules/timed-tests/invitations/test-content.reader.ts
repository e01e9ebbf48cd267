import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import { RequestContext } from '../../../common/context/request-context';
import { DatabaseService } from '../../../database/database.service';
import { scoped, unscoped } from '../../../database/tenant-scoped';
import { TestEntity } from '../entities/test.entity';
import { CandidateTestView, toCandidateTest as candidateView } from '../tests/candidate-test.view';
import { LoadedTestVersion, TestsService } from '../tests/tests.service';

/*
 * What invitations and attempts read of a test, through the tests feature's loaders (TestsService): the version new
 * attempts use, a version by id (an attempt keeps the one it started on), and the candidate-safe view (no answer
 * keys). Titles for lists are read here in one query.
 */

export type TestVersionContent = LoadedTestVersion;
export type CandidateTest = CandidateTestView;
export { CandidateTestView };

export function toCandidateTest(content: TestVersionContent): CandidateTest {
  return candidateView(content.version, content.questions);
}

@Injectable()
export class TestContentReader {
  constructor(
    private readonly db: DatabaseService,
    private readonly tests: TestsService,
  ) {}

  /**
   * The active test's current version: `tenantId` as an invitation names it, or (undefined) the caller's scope.
   * Held FOR SHARE until the caller's transaction ends, so an edit or delete cannot slip in. 404 TEST_NOT_FOUND.
   */
  current(ctx: RequestContext, testId: string, tenantId?: string): Promise<TestVersionContent> {
    return this.tests.loadCurrentVersion(ctx, testId, { tenantId, lock: 'share' });
  }

  /** A version by id in the invitation's tenant, whatever its test's state since. 404 TEST_NOT_FOUND. */
  version(ctx: RequestContext, tenantId: string, versionId: string): Promise<TestVersionContent> {
    return this.tests.loadVersion(ctx, versionId, tenantId);
  }

  /** Titles of tests by id, in one query (lists of invitations: the ids come from rows already scoped). */
  async titles(ctx: RequestContext, ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.repo(ctx, TestEntity).find({
      select: { id: true, title: true },
      where: scoped<TestEntity>(
        ctx,
        unscoped('tests of invitations already read in scope', { id: In([...new Set(ids)]) }),
      ),
    });
    return new Map(rows.map((row) => [row.id, row.title]));
  }
}
