import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const MANUAL_SCORE_STATUSES = ['pending', 'correct', 'wrong', 'partial'] as const;
export type ManualScoreStatus = (typeof MANUAL_SCORE_STATUSES)[number];

/** A candidate's answer to one question of its attempt: autosaved while in progress, scored at submit and review. */
@Entity('attempt_answers')
export class AttemptAnswerEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  tenant_id: string;

  @Column({ type: 'uuid' })
  attempt_id: string;

  @Column({ type: 'uuid' })
  question_id: string;

  /** A string (multiple choice, essay, coding) or a list of strings (multi select). */
  @Column({ type: 'jsonb' })
  answer: string | string[];

  @Column({ type: 'timestamptz', default: () => 'clock_timestamp()' })
  saved_at: Date;

  @Column({ type: 'boolean', nullable: true })
  is_correct: boolean | null;

  @Column({ type: 'numeric', precision: 10, scale: 2, nullable: true })
  auto_points: string | null;

  @Column({ type: 'numeric', precision: 10, scale: 2, nullable: true })
  manual_score: string | null;

  @Column({ type: 'varchar', length: 20, nullable: true })
  manual_score_status: ManualScoreStatus | null;

  @Column({ type: 'uuid', nullable: true })
  reviewer_id: string | null;

  @Column({ type: 'text', nullable: true })
  review_comments: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  reviewed_at: Date | null;
}
