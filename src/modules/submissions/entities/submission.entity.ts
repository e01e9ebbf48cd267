import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { TestType } from '../../../domain/test-types';

export const SUBMISSION_STATUSES = ['submitted', 'analyzing', 'completed', 'failed'] as const;
export type SubmissionStatus = (typeof SUBMISSION_STATUSES)[number];

/** One SJT/JDT interview a user took: its conversation, and the analysis report an admin stores later. */
@Entity('submissions')
export class SubmissionEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  tenant_id: string;

  /** The owner (from the token at create time). */
  @Column({ type: 'uuid' })
  user_id: string;

  @Column({ type: 'varchar', length: 255 })
  candidate_name: string;

  @Column({ type: 'varchar', length: 100, nullable: true })
  candidate_id: string | null;

  @Column({ type: 'varchar', length: 10 })
  test_type: TestType;

  @Column({ type: 'varchar', length: 10, default: 'en' })
  candidate_language: string;

  @Column({ type: 'varchar', length: 10, default: 'en' })
  ui_language: string;

  @Column({ type: 'jsonb' })
  conversation_history: object[];

  @Column({ type: 'jsonb', nullable: true })
  analysis_result: Record<string, unknown> | null;

  @Column({ type: 'varchar', length: 20, default: 'submitted' })
  status: SubmissionStatus;

  @Column({ type: 'boolean', default: false })
  analysis_completed: boolean;

  @Column({ type: 'timestamptz', nullable: true })
  analysis_completed_at: Date | null;

  /** The effective configuration (tenant's, else the system one) when the submission was created. */
  @Column({ type: 'uuid', nullable: true })
  configuration_id: string | null;

  @Column({ type: 'int', nullable: true })
  configuration_version: number | null;

  /** 1-based, per (user, test type). */
  @Column({ type: 'int' })
  attempt_number: number;

  @CreateDateColumn({ type: 'timestamptz' })
  created_at: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updated_at: Date;
}
