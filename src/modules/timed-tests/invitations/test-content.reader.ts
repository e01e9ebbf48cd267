import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import { RequestContext } from '../../../common/context/request-context';
import { DatabaseService } from '../../../database/database.service';
import { scoped, unscoped } from '../../../database/tenant-scoped';
import { TestEntity } from '../entities/test.entity';
import { CandidateTestView, toCandidateTest as candidateView } from '../tests/candidate-test.view';
import { LoadedTestVersion, TestsService } from '../tests/tests.service';
import type { TokenTest } from './invitation-access.service';

/*
 * What invitations and attempts read of a test, through the tests feature's loaders (TestsService): the version new
 * attempts use, a version by id (an attempt keeps the one it started on), and the candidate-safe view (no answer
 * keys). Titles for lists are read here in one query.
 */

export type TestVersionContent = LoadedTestVersion;
/** What an attempt needs of its version: the version row and its questions (the test row can change since). */
export type AttemptVersionContent = Pick<LoadedTestVersion, 'version' | 'questions'>;

/** Versions kept per process (each ~ a few KiB with its questions). */
const VERSION_CACHE_SIZE = 500;
export type CandidateTest = CandidateTestView;
export { CandidateTestView };

export function toCandidateTest(content: AttemptVersionContent): CandidateTest {
  return candidateView(content.version, content.questions);
}

@Injectable()
export class TestContentReader {
  /**
   * Versions an attempt uses, by id, least recently used first. Such a version never changes (an edit of a test whose
   * current version has attempts makes a new version), so every instance may keep it; the current version of a test
   * without attempts can still be rewritten in place and is always read from the database (`current`).
   */
  private readonly attemptVersions = new Map<string, AttemptVersionContent>();

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

  /**
   * The version an attempt uses, by id, in the invitation's tenant, whatever its test's state since. 404
   * TEST_NOT_FOUND. Only for a version id read from an attempt (immutable): served from a per-process cache after the
   * first read, which the tenant's own unit of work made; a cached entry is only given to a caller of its tenant.
   */
  async version(ctx: RequestContext, tenantId: string, versionId: string): Promise<AttemptVersionContent> {
    const cached = this.attemptVersions.get(versionId);
    if (cached && cached.version.tenant_id === tenantId) {
      this.attemptVersions.delete(versionId);
      this.attemptVersions.set(versionId, cached);
      return cached;
    }
    const { version, questions } = await this.tests.loadVersion(ctx, versionId, tenantId);
    const content: AttemptVersionContent = { version, questions };
    this.attemptVersions.set(versionId, content);
    if (this.attemptVersions.size > VERSION_CACHE_SIZE) {
      this.attemptVersions.delete(this.attemptVersions.keys().next().value as string);
    }
    return content;
  }

  /**
   * The version a new attempt of the invitation's test uses (a start, or the view before one). When the token lookup
   * found that version frozen — it has attempts, so an edit makes a new version and it never changes again — it is
   * a version like an attempt's, served by `version` (from the cache after the first read); the test was held FOR
   * SHARE by the lookup of a start. Otherwise (no attempt yet on it, a deleted test, no version) it is read by
   * `current`, which holds the test FOR SHARE and answers 404 for a deleted test.
   */
  forNewAttempt(
    ctx: RequestContext,
    invitation: { tenant_id: string; test_id: string },
    test: TokenTest,
  ): Promise<AttemptVersionContent> {
    if (test.versionFrozen && test.isActive && test.currentVersionId) {
      return this.version(ctx, invitation.tenant_id, test.currentVersionId);
    }
    return this.current(ctx, invitation.test_id, invitation.tenant_id);
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
