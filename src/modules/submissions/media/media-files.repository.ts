import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import { RequestContext } from '../../../common/context/request-context';
import { DatabaseService } from '../../../database/database.service';
import { TenantScopedRepository, unscoped } from '../../../database/tenant-scoped';
import { MediaFileEntity } from '../entities/media-file.entity';

/** A submission's media rows are read under that submission's tenant (read first, through its visible scope). */
export interface ScopedSubmission {
  id: string;
  tenant_id: string;
}

/** Reads of the media_files table (src/database/tenant-scoped.ts). */
@Injectable()
export class MediaFilesRepository extends TenantScopedRepository<MediaFileEntity> {
  constructor(db: DatabaseService) {
    super(db, MediaFileEntity);
  }

  /** Ordered by question, then follow-up, then upload time (a re-recorded answer follows the earlier one). */
  listOf(ctx: RequestContext, submission: ScopedSubmission): Promise<MediaFileEntity[]> {
    return this.find(
      ctx,
      { submission_id: submission.id, tenant_id: submission.tenant_id },
      { order: { question_index: 'ASC', follow_up_sequence: 'ASC', created_at: 'ASC', id: 'ASC' } },
    );
  }

  /** Every media row of a submission the caller has already read (or locked) through its scope. */
  allOf(ctx: RequestContext, submissionId: string): Promise<MediaFileEntity[]> {
    return this.find(
      ctx,
      unscoped('the submission was read through its visible scope', { submission_id: submissionId }),
    );
  }

  /** In upload order, as the embedded recordings of a new submission are audited. */
  allOfInOrder(ctx: RequestContext, submissionId: string): Promise<MediaFileEntity[]> {
    return this.find(ctx, unscoped('a submission created in this transaction', { submission_id: submissionId }), {
      order: { question_index: 'ASC', id: 'ASC' },
    });
  }

  /** The media of several submissions at once; the caller checks each file's tenant against its submission's. */
  ofSubmissions(ctx: RequestContext, submissionIds: string[]): Promise<MediaFileEntity[]> {
    return this.find(
      ctx,
      unscoped('submissions read through their visible scope', { submission_id: In(submissionIds) }),
    );
  }

  findOf(ctx: RequestContext, submission: ScopedSubmission, id: string): Promise<MediaFileEntity | null> {
    return this.findOne(ctx, { id, submission_id: submission.id, tenant_id: submission.tenant_id });
  }

  lockOf(ctx: RequestContext, submission: ScopedSubmission, id: string): Promise<MediaFileEntity | null> {
    return this.findOne(
      ctx,
      { id, submission_id: submission.id, tenant_id: submission.tenant_id },
      { lock: { mode: 'pessimistic_write' } },
    );
  }

  /** A download by signed link: the signature is the only authority, and the anonymous caller has no tenant. */
  findBySignedLink(ctx: RequestContext, id: string): Promise<MediaFileEntity | null> {
    return this.findOne(ctx, unscoped('signed link: the signature is the authority', { id }));
  }

  reload(ctx: RequestContext, id: string, tenantId: string): Promise<MediaFileEntity> {
    return this.repo(ctx).findOneOrFail({ where: this.scoped(ctx, { id, tenant_id: tenantId }) });
  }
}
