import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { AuthenticatedContext } from '../../common/context/request-context';
import { Page } from '../../common/http/pagination';
import { DatabaseService } from '../../database/database.service';
import { AuditService } from '../audit/audit.service';
import { ConfigurationsService } from '../configurations/configurations.service';
import type { TestType } from '../../domain/test-types';
import { TenantsService } from '../tenants/tenants.service';
import { CreateSubmissionDto } from './dto/create-submission.dto';
import { ListSubmissionsQueryDto } from './dto/list-submissions-query.dto';
import { SubmissionDeletedResponse, SubmissionResponse } from './dto/submission.response';
import { UpdateSubmissionDto } from './dto/update-submission.dto';
import { SubmissionEntity } from './entities/submission.entity';
import { attemptAllowance, planCompletion } from './submission-rules';
import { MAX_ATTEMPTS_REACHED, SUBMISSION_NOT_FOUND, TEST_TYPE_NOT_ALLOWED } from './submissions.errors';
import { SubmissionsRepository } from './submissions.repository';
import { MediaFilesRepository } from './media/media-files.repository';
import { EmbeddedMediaStore } from './embedded-media/embedded-media.store';
import { SubmissionRenderer } from './embedded-media/submission-renderer';
import type { EmbeddedMedia } from './embedded-media/submission-body.middleware';
import { STORED_FILES_REMOVER, StoredFileRef, StoredFilesRemover } from './stored-files-remover';

const configTypeOf = (testType: TestType) => (testType === 'SJT' ? 'sjt' : 'jdt');

/**
 * What an audit row keeps of a submission: its metadata, not the conversation or the report (large, personal, and
 * kept in the row itself); a digest shows when the report changed.
 */
function auditView(s: SubmissionEntity) {
  return {
    id: s.id,
    user_id: s.user_id,
    tenant_id: s.tenant_id,
    candidate_name: s.candidate_name,
    candidate_id: s.candidate_id,
    test_type: s.test_type,
    candidate_language: s.candidate_language,
    ui_language: s.ui_language,
    status: s.status,
    analysis_completed: s.analysis_completed,
    analysis_completed_at: s.analysis_completed_at?.toISOString() ?? null,
    configuration_id: s.configuration_id,
    configuration_version: s.configuration_version,
    attempt_number: s.attempt_number,
    conversation_entries: s.conversation_history.length,
    analysis_result_sha256: s.analysis_result
      ? createHash('sha256').update(JSON.stringify(s.analysis_result)).digest('hex')
      : null,
  };
}

/**
 * SJT/JDT interview submissions. Who sees what is decided by SubmissionsRepository.visibleWhere; proctors are kept
 * out at the route level (they read only attempts they proctored, and interviews are not proctored).
 */
@Injectable()
export class SubmissionsService {
  constructor(
    private readonly db: DatabaseService,
    private readonly submissions: SubmissionsRepository,
    private readonly mediaFiles: MediaFilesRepository,
    private readonly tenants: TenantsService,
    private readonly configurations: ConfigurationsService,
    private readonly audit: AuditService,
    @Inject(STORED_FILES_REMOVER) private readonly filesRemover: StoredFilesRemover,
    private readonly embeddedMedia: EmbeddedMediaStore,
    private readonly renderer: SubmissionRenderer,
  ) {}

  async list(ctx: AuthenticatedContext, query: ListSubmissionsQueryDto): Promise<Page<SubmissionResponse>> {
    return this.db.transaction(ctx, async (tx) => {
      const [rows, total] = await this.submissions.list(tx, query);
      return { items: await this.renderer.many(tx, rows), total };
    });
  }

  async get(ctx: AuthenticatedContext, id: string): Promise<SubmissionResponse> {
    return this.db.transaction(ctx, async (tx) => {
      const submission = await this.submissions.findVisible(tx, id);
      if (!submission) throw SUBMISSION_NOT_FOUND();
      return this.renderer.one(tx, submission);
    });
  }

  /**
   * The caller submits for itself, into its own tenant. The tenant's allowed_test_types apply to everyone; its
   * max_test_attempts to candidates only, enforced under a per-(user, test type) lock so parallel creates cannot
   * overshoot it. Recordings that came embedded as data URIs (`embedded`, see EmbeddedMediaStore) are checked, put
   * in storage under the submission's id (made here, up front), and their rows inserted in the same transaction as
   * the submission; when anything fails the objects are removed again, so a refused submission stores nothing.
   */
  async create(
    ctx: AuthenticatedContext,
    dto: CreateSubmissionDto,
    embedded: EmbeddedMedia[] = [],
  ): Promise<SubmissionResponse> {
    // A first short unit of work reads what the checks need; the recordings are stored outside any unit, and the
    // rows are written in a second one.
    const { tenant, configuration, planned, history } = await this.db.transaction(ctx, async (tx) => {
      const tenant = await this.tenants.get(tx, tx.user.tenantId);
      if (!tenant.allowed_test_types.includes(dto.test_type)) throw TEST_TYPE_NOT_ALLOWED(dto.test_type);
      // Recorded so a report can later be read against the exact questions and rubric the candidate had.
      const configuration = await this.configurations.effectiveFor(tx, tenant.id, configTypeOf(dto.test_type));
      const history = dto.conversation_history as unknown[];
      const planned = this.embeddedMedia.plan(history, embedded);
      if (planned.length > 0) {
        // Before megabytes are stored: a candidate already at the limit is refused now (checked again under the lock).
        const early = await this.submissions.attemptStats(tx, tx.user.id, dto.test_type, tenant.id);
        if (attemptAllowance(tx.user.role, early.count, tenant.max_test_attempts).exhausted) {
          throw MAX_ATTEMPTS_REACHED(dto.test_type, tenant.max_test_attempts);
        }
      }
      return { tenant, configuration, planned, history };
    });
    const submissionId = randomUUID();
    const stored = await this.embeddedMedia.put(tenant.id, submissionId, planned);
    this.embeddedMedia.reference(history, stored);
    try {
      return await this.db.transaction(ctx, async (tx) => {
        await this.submissions.lockAttempts(tx, tx.user.id, dto.test_type);
        const attempts = await this.submissions.attemptStats(tx, tx.user.id, dto.test_type, tenant.id);
        if (attemptAllowance(ctx.user.role, attempts.count, tenant.max_test_attempts).exhausted) {
          throw MAX_ATTEMPTS_REACHED(dto.test_type, tenant.max_test_attempts);
        }
        await this.db.repo(tx, SubmissionEntity).insert({
          id: submissionId,
          tenant_id: tenant.id,
          user_id: tx.user.id,
          candidate_name: dto.candidate_name,
          candidate_id: dto.candidate_id ?? null,
          test_type: dto.test_type,
          candidate_language: dto.candidate_language ?? 'en',
          ui_language: dto.ui_language ?? 'en',
          conversation_history: history,
          configuration_id: configuration?.id ?? null,
          configuration_version: configuration?.version ?? null,
          attempt_number: attempts.last + 1,
        } as QueryDeepPartialEntity<SubmissionEntity>);
        const created = await this.submissions.reload(tx, submissionId);
        await this.audit.record(tx, {
          action: 'submission.create',
          resourceType: 'submission',
          resourceId: created.id,
          tenantId: created.tenant_id,
          newValues: auditView(created),
        });
        await this.embeddedMedia.insert(tx, tenant.id, submissionId, stored);
        return this.renderer.one(tx, created);
      });
    } catch (error) {
      await this.embeddedMedia.discard(stored);
      throw error;
    }
  }

  /** Stores the analysis report and moves the status (admins; see planCompletion for the completion rules). */
  async update(ctx: AuthenticatedContext, id: string, dto: UpdateSubmissionDto): Promise<SubmissionResponse> {
    return this.db.transaction(ctx, async (tx) => {
      const before = await this.submissions.lockVisible(tx, id);
      if (!before) throw SUBMISSION_NOT_FOUND();
      const completion = planCompletion(before, dto.status, dto.analysis_completed);
      const changes: QueryDeepPartialEntity<SubmissionEntity> = {};
      if (completion.status !== undefined) changes.status = completion.status;
      if (completion.analysis_completed !== undefined) changes.analysis_completed = completion.analysis_completed;
      // now() is the transaction's start: the same instant TypeORM writes into updated_at.
      if (completion.completed_at === 'record') changes.analysis_completed_at = () => 'now()';
      if (completion.completed_at === 'clear') changes.analysis_completed_at = null;
      if (dto.analysis_result !== undefined)
        changes.analysis_result = dto.analysis_result as QueryDeepPartialEntity<object>;
      if (Object.keys(changes).length === 0) return this.renderer.one(tx, before);

      await this.db.repo(tx, SubmissionEntity).update(id, changes);
      const after = await this.submissions.reload(tx, id);
      await this.audit.record(tx, {
        action: 'submission.update',
        resourceType: 'submission',
        resourceId: id,
        tenantId: after.tenant_id,
        oldValues: auditView(before),
        newValues: auditView(after),
      });
      return this.renderer.one(tx, after);
    });
  }

  /** Hard delete: the media rows go with it (ON DELETE CASCADE), then their stored files. */
  async remove(ctx: AuthenticatedContext, id: string): Promise<SubmissionDeletedResponse> {
    const files = await this.db.transaction(ctx, async (tx) => {
      const submission = await this.submissions.lockVisible(tx, id);
      if (!submission) throw SUBMISSION_NOT_FOUND();
      const media = await this.mediaFiles.allOf(tx, id);
      await this.db.repo(tx, SubmissionEntity).delete(id);
      const stored = media.map((m): StoredFileRef & { id: string } => ({
        id: m.id,
        storage_provider: m.storage_provider,
        storage_key: m.storage_key,
      }));
      await this.audit.record(tx, {
        action: 'submission.delete',
        resourceType: 'submission',
        resourceId: id,
        tenantId: submission.tenant_id,
        oldValues: { ...auditView(submission), media_files: stored },
      });
      return stored;
    });
    // After the commit: the remover logs its own failures (an orphaned object), so the response stands.
    if (files.length > 0) await this.filesRemover.removeStoredFiles(ctx, files);
    return { message: 'Submission deleted', id, media_files_deleted: files.length };
  }
}
