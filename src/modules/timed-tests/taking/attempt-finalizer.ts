import { Injectable } from '@nestjs/common';
import { RequestContext } from '../../../common/context/request-context';
import { AuditService } from '../../audit/audit.service';
import { InvitationEntity } from '../entities/invitation.entity';
import { TestAttemptEntity } from '../entities/test-attempt.entity';
import { AttemptVersionContent } from '../invitations/test-content.reader';
import { AnswerValue, attemptScores, autoScoreAnswer } from '../scoring';
import { AnswerWrite, AttemptsRepository } from './attempts.repository';
import { AnswerDto } from './dto/answers.dto';
import { SubmitTestResponse } from './dto/taking.response';

export interface Finalisation {
  status: 'submitted' | 'auto_submitted' | 'terminated';
  now: Date;
  /** a terminate: who ended it and why (logged with the event and the audit entry) */
  terminatedBy?: { userId: string; reason: string };
  /** answers sent with the submit, merged over the saved ones */
  answers: readonly AnswerDto[];
  idempotencyKey: string | null;
}

const MESSAGES: Record<Finalisation['status'], string> = {
  submitted: 'Test submitted successfully',
  auto_submitted: 'Test submitted automatically at the deadline',
  terminated: 'Test terminated by a proctor',
};

const AUDIT_ACTIONS: Record<Finalisation['status'], string> = {
  submitted: 'attempt.submit',
  auto_submitted: 'attempt.auto_submit',
  terminated: 'attempt.terminate',
};

/**
 * Ends an attempt (the candidate's submit, the sweeper at the deadline, or a proctor's terminate): merges the submitted answers over the
 * autosaved ones, writes one answer row per question of the attempt's version scored by scoring.ts, stores the
 * scores and the response (replayed for the same Idempotency-Key), completes the invitation and logs the event.
 * The caller holds the invitation's row lock.
 */
@Injectable()
export class AttemptFinalizer {
  constructor(
    private readonly attempts: AttemptsRepository,
    private readonly audit: AuditService,
  ) {}

  async finalise(
    tx: RequestContext,
    invitation: Pick<InvitationEntity, 'id'>,
    attempt: Pick<TestAttemptEntity, 'id' | 'tenant_id'>,
    content: AttemptVersionContent,
    how: Finalisation,
  ): Promise<SubmitTestResponse> {
    const saved = await this.attempts.savedAnswers(tx, attempt.tenant_id, attempt.id);
    const merged = new Map<string, { answer: AnswerValue; saved_at: Date }>(
      saved.map((row) => [row.question_id, { answer: row.answer, saved_at: row.saved_at }]),
    );
    for (const answer of how.answers) {
      merged.set(answer.question_id.toLowerCase(), { answer: answer.answer, saved_at: how.now });
    }
    const writes: AnswerWrite[] = content.questions.map((question) => {
      const given = merged.get(question.id);
      const scored = autoScoreAnswer(question, given?.answer);
      return {
        question_id: question.id,
        answer: given?.answer ?? (question.type === 'multi_select' ? [] : ''),
        saved_at: given?.saved_at ?? how.now,
        ...scored,
      };
    });
    const passMark = content.version.pass_mark_percent === null ? null : Number(content.version.pass_mark_percent);
    const scores = attemptScores(
      content.questions,
      writes.map((w) => ({ question_id: w.question_id, auto_points: w.auto_points ?? null, manual_score: null })),
      passMark,
    );
    const response: SubmitTestResponse = {
      message: MESSAGES[how.status],
      score: scores.score,
      auto_score: scores.auto_score,
      final_score: scores.final_score,
      scoring_status: scores.scoring_status,
      needs_manual_review: scores.needs_manual_review,
      passed: scores.passed,
    };
    const num = (n: number | null) => (n === null ? null : String(n));
    const reason = how.terminatedBy ? { reason: how.terminatedBy.reason } : {};
    // answers, attempt, invitation, event and audit row in one statement (one round trip under the row lock)
    await this.attempts.finish(tx, {
      tenantId: attempt.tenant_id,
      attemptId: attempt.id,
      invitationId: invitation.id,
      answers: writes,
      attempt: {
        status: how.status,
        auto_score: num(scores.auto_score),
        manual_score: num(scores.manual_score),
        final_score: num(scores.final_score),
        scoring_status: scores.scoring_status,
        passed: scores.passed,
        idempotency_key: how.idempotencyKey,
        submit_response: response as unknown as Record<string, unknown>,
      },
      at: how.now,
      event: {
        type: how.status,
        actorUserId: how.terminatedBy?.userId ?? null,
        data: {
          at: how.now.toISOString(),
          answered: merged.size,
          questions: content.questions.length,
          ...scores,
          ...reason,
        },
      },
      audit: this.audit.rowValues(tx, {
        action: AUDIT_ACTIONS[how.status],
        resourceType: 'attempt',
        resourceId: attempt.id,
        tenantId: attempt.tenant_id,
        userId: how.terminatedBy?.userId ?? null,
        newValues: { invitation_id: invitation.id, ...response, ...reason },
      }),
    });
    return response;
  }
}
