import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const OUTBOX_KINDS = ['invitation', 'resend', 'reminder'] as const;
export type OutboxKind = (typeof OUTBOX_KINDS)[number];
export const OUTBOX_STATUSES = ['pending', 'sent', 'failed'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

/** An e-mail waiting for, or done with, background delivery (SMTP, or an .eml file in the outbox folder). */
@Entity('email_outbox')
export class EmailOutboxEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  tenant_id: string;

  @Column({ type: 'uuid', nullable: true })
  invitation_id: string | null;

  @Column({ type: 'varchar', length: 20 })
  kind: OutboxKind;

  @Column({ type: 'varchar', length: 255 })
  to_address: string;

  @Column({ type: 'varchar', length: 500 })
  subject: string;

  @Column({ type: 'text' })
  text_body: string;

  @Column({ type: 'text' })
  html_body: string;

  @Column({ type: 'varchar', length: 20, default: 'pending' })
  status: OutboxStatus;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Column({ type: 'text', nullable: true })
  last_error: string | null;

  @Column({ type: 'timestamptz', default: () => 'clock_timestamp()' })
  next_attempt_at: Date;

  @Column({ type: 'timestamptz', nullable: true })
  sent_at: Date | null;

  @Column({ type: 'timestamptz', default: () => 'clock_timestamp()' })
  created_at: Date;
}
