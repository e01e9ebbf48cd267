import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const ATTEMPT_STATUSES = ['in_progress', 'submitted', 'auto_submitted', 'terminated'] as const;
export type AttemptStatus = (typeof ATTEMPT_STATUSES)[number];
export const SCORING_STATUSES = ['auto_only', 'needs_review', 'partially_reviewed', 'fully_reviewed'] as const;
export type ScoringStatus = (typeof SCORING_STATUSES)[number];

/**
 * The one attempt of an invitation (the original Pre-Interview Test API's "test submission"; its id is the result id). Started once, on
 * the test version current at start; numeric columns come back from pg as strings.
 */
@Entity('test_attempts')
export class TestAttemptEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  tenant_id: string;

  @Column({ type: 'uuid' })
  invitation_id: string;

  @Column({ type: 'uuid' })
  test_id: string;

  @Column({ type: 'uuid' })
  test_version_id: string;

  @Column({ type: 'varchar', length: 255 })
  applicant_email: string;

  @Column({ type: 'varchar', length: 20, default: 'in_progress' })
  status: AttemptStatus;

  @Column({ type: 'timestamptz' })
  started_at: Date;

  @Column({ type: 'timestamptz' })
  deadline: Date;

  @Column({ type: 'timestamptz', nullable: true })
  submitted_at: Date | null;

  @Column({ type: 'numeric', precision: 6, scale: 2, nullable: true })
  auto_score: string | null;

  @Column({ type: 'numeric', precision: 10, scale: 2, nullable: true })
  manual_score: string | null;

  @Column({ type: 'numeric', precision: 6, scale: 2, nullable: true })
  final_score: string | null;

  @Column({ type: 'varchar', length: 20, nullable: true })
  scoring_status: ScoringStatus | null;

  @Column({ type: 'boolean', nullable: true })
  passed: boolean | null;

  @Column({ type: 'uuid', nullable: true })
  reviewed_by: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  review_completed_at: Date | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  idempotency_key: string | null;

  /** The first submit's response body, replayed for a retry with the same Idempotency-Key. */
  @Column({ type: 'jsonb', nullable: true })
  submit_response: Record<string, unknown> | null;

  @Column({ type: 'boolean', default: false })
  is_monitored: boolean;

  @Column({ type: 'timestamptz', default: () => 'clock_timestamp()' })
  created_at: Date;

  @Column({ type: 'timestamptz', default: () => 'clock_timestamp()' })
  updated_at: Date;
}
