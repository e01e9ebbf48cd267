import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const INVITATION_STATUSES = ['sent', 'scheduled', 'in_progress', 'completed', 'expired', 'cancelled'] as const;
export type InvitationStatus = (typeof INVITATION_STATUSES)[number];
export const EMAIL_STATUSES = ['pending', 'sent', 'failed'] as const;
export type EmailStatus = (typeof EMAIL_STATUSES)[number];

/** An invitation to take a test, authorised by a token of which only the SHA-256 is stored. */
@Entity('invitations')
export class InvitationEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  tenant_id: string;

  @Column({ type: 'uuid' })
  test_id: string;

  @Column({ type: 'varchar', length: 255 })
  applicant_email: string;

  @Column({ type: 'varchar', length: 255 })
  applicant_name: string;

  @Column({ type: 'uuid', nullable: true })
  invited_by: string | null;

  @Column({ type: 'bytea', select: false })
  token_hash: Buffer;

  @Column({ type: 'timestamptz' })
  expires_at: Date;

  @Column({ type: 'timestamptz', nullable: true })
  scheduled_date: Date | null;

  @Column({ type: 'boolean', default: false })
  admin_scheduled: boolean;

  @Column({ type: 'boolean', default: false })
  no_schedule: boolean;

  @Column({ type: 'int', default: 0 })
  extra_time_percent: number;

  @Column({ type: 'varchar', length: 20, default: 'sent' })
  status: InvitationStatus;

  @Column({ type: 'varchar', length: 20, default: 'pending' })
  email_status: EmailStatus;

  @Column({ type: 'boolean', default: false })
  email_sent: boolean;

  @Column({ type: 'timestamptz', nullable: true })
  email_sent_at: Date | null;

  @Column({ type: 'text', nullable: true })
  email_error: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  started_at: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  completed_at: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  cancelled_at: Date | null;

  @Column({ type: 'timestamptz', default: () => 'clock_timestamp()' })
  created_at: Date;

  @Column({ type: 'timestamptz', default: () => 'clock_timestamp()' })
  updated_at: Date;
}
