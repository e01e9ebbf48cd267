import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const REVIEW_STATUSES = ['passed', 'violation', 'suspicious', 'not_reviewed'] as const;
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];

/** Staff's verdict on a proctoring session: one per invitation (its one attempt), upserted. */
@Entity('proctoring_reviews')
export class ProctoringReviewEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  tenant_id: string;

  @Column({ type: 'uuid' })
  invitation_id: string;

  @Column({ type: 'uuid' })
  attempt_id: string;

  @Column({ type: 'varchar', length: 20 })
  status: ReviewStatus;

  @Column({ type: 'text', nullable: true })
  comment: string | null;

  @Column({ type: 'uuid', nullable: true })
  reviewed_by: string | null;

  @Column({ type: 'timestamptz' })
  reviewed_at: Date;

  @Column({ type: 'timestamptz', default: () => 'clock_timestamp()' })
  created_at: Date;

  @Column({ type: 'timestamptz', default: () => 'clock_timestamp()' })
  updated_at: Date;
}
