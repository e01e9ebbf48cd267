import { Injectable } from '@nestjs/common';
import { RequestContext } from '../../../common/context/request-context';
import { MediaFilesRepository } from '../media/media-files.repository';
import { SubmissionResponse, toSubmissionResponse } from '../dto/submission.response';
import { MediaFileEntity } from '../entities/media-file.entity';
import { SubmissionEntity } from '../entities/submission.entity';
import { MediaLinks } from '../media/media-links';
import { RECORDING_FIELDS, referencedMediaId } from './media-reference';

const hasReference = (s: SubmissionEntity): boolean =>
  s.conversation_history.some(
    (entry) =>
      entry !== null &&
      typeof entry === 'object' &&
      RECORDING_FIELDS.some((f) => referencedMediaId((entry as Record<string, unknown>)[f])),
  );

/**
 * Renders submissions for responses: a conversation entry's `videoDataUri` / `audioDataUri` reference
 * (media-reference.ts) becomes a fresh download URL of that media file (the `storage_url` the media list gives), or
 * null when the submission has no such file. One query fetches the media of every rendered submission that has
 * references (none when no submission has any).
 */
@Injectable()
export class SubmissionRenderer {
  constructor(
    private readonly mediaFiles: MediaFilesRepository,
    private readonly links: MediaLinks,
  ) {}

  /** Given a transaction context (`tx`), the media are read inside that transaction. */
  async one(ctx: RequestContext, submission: SubmissionEntity): Promise<SubmissionResponse> {
    return (await this.many(ctx, [submission]))[0];
  }

  async many(ctx: RequestContext, submissions: SubmissionEntity[]): Promise<SubmissionResponse[]> {
    const referencing = submissions.filter(hasReference);
    if (referencing.length === 0) return submissions.map((s) => toSubmissionResponse(s));
    const media = await this.mediaFiles.ofSubmissions(
      ctx,
      referencing.map((s) => s.id),
    );
    const bySubmission = new Map<string, Map<string, MediaFileEntity>>();
    for (const m of media) {
      const files = bySubmission.get(m.submission_id) ?? new Map<string, MediaFileEntity>();
      files.set(m.id.toLowerCase(), m);
      bySubmission.set(m.submission_id, files);
    }
    return Promise.all(
      submissions.map(async (s) => {
        if (!hasReference(s)) return toSubmissionResponse(s);
        return toSubmissionResponse(s, await this.resolve(s, bySubmission.get(s.id) ?? new Map()));
      }),
    );
  }

  /** The conversation with each reference replaced by its file's URL (null when not a file of this submission). */
  private async resolve(s: SubmissionEntity, files: Map<string, MediaFileEntity>): Promise<object[]> {
    return Promise.all(
      s.conversation_history.map(async (entry) => {
        if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return entry;
        const rendered: Record<string, unknown> = { ...(entry as Record<string, unknown>) };
        for (const field of RECORDING_FIELDS) {
          const id = referencedMediaId(rendered[field]);
          if (id === null) continue;
          const file = files.get(id);
          rendered[field] = file && file.tenant_id === s.tenant_id ? await this.links.url(file) : null;
        }
        return rendered;
      }),
    );
  }
}
