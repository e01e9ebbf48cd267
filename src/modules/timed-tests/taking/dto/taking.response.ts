import { ApiProperty } from '@nestjs/swagger';
import { SCORING_STATUSES } from '../../entities/test-attempt.entity';
import type { ScoringStatus } from '../../entities/test-attempt.entity';
import { CandidateInvitationResponse } from '../../invitations/dto/invitation.response';
import { CandidateTestView } from '../../tests/candidate-test.view';

export class SavedAnswer {
  @ApiProperty({ format: 'uuid' }) question_id: string;
  @ApiProperty({ oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] }) answer: string | string[];
  @ApiProperty({ format: 'date-time' }) saved_at: string;
}

export class TakeTestResponse {
  @ApiProperty({ type: CandidateInvitationResponse }) invite: CandidateInvitationResponse;
  @ApiProperty({ type: CandidateTestView }) test: CandidateTestView;
  @ApiProperty({ format: 'date-time' }) server_time: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) started_at: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'null until started' })
  deadline: string | null;
  @ApiProperty({ description: 'Seconds left before the deadline; before start, the whole time allowed' })
  remaining_time_seconds: number;
  @ApiProperty({ type: [SavedAnswer] }) saved_answers: SavedAnswer[];
}

export class StartTestResponse {
  @ApiProperty({ example: 'Test started successfully' }) message: string;
  @ApiProperty({ enum: ['in_progress'] }) status: 'in_progress';
  @ApiProperty({ format: 'date-time' }) started_at: string;
  @ApiProperty({ format: 'date-time' }) deadline: string;
  @ApiProperty({ format: 'date-time' }) server_time: string;
  @ApiProperty() remaining_time_seconds: number;
}

export class SaveAnswersResponse {
  @ApiProperty({ example: 'Answers saved' }) message: string;
  @ApiProperty() saved: number;
  @ApiProperty({ format: 'date-time' }) server_time: string;
  @ApiProperty({ format: 'date-time' }) deadline: string;
  @ApiProperty() remaining_time_seconds: number;
}

export class SubmitTestResponse {
  @ApiProperty({ example: 'Test submitted successfully' }) message: string;
  @ApiProperty({ type: Number, nullable: true, description: 'The final score; null until every answer is scored' })
  score: number | null;
  @ApiProperty({ type: Number, nullable: true }) auto_score: number | null;
  @ApiProperty({ type: Number, nullable: true }) final_score: number | null;
  @ApiProperty({ enum: SCORING_STATUSES }) scoring_status: ScoringStatus;
  @ApiProperty() needs_manual_review: boolean;
  @ApiProperty({ type: Boolean, nullable: true }) passed: boolean | null;
}
