import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * The append-only log of an invitation's attempt (a trigger refuses UPDATE and DELETE): started, answer_saved,
 * submitted, auto_submitted, extended, terminated, integrity events, proctor flags and messages.
 */
@Entity('attempt_events')
export class AttemptEventEntity {
  /** bigint identity: pg returns it as a string. */
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  @Column({ type: 'uuid' })
  tenant_id: string;

  @Column({ type: 'uuid', nullable: true })
  attempt_id: string | null;

  @Column({ type: 'uuid' })
  invitation_id: string;

  @Column({ type: 'varchar', length: 50 })
  type: string;

  @Column({ type: 'jsonb', default: () => `'{}'::jsonb` })
  data: Record<string, unknown>;

  @Column({ type: 'uuid', nullable: true })
  actor_user_id: string | null;

  @Column({ type: 'timestamptz', default: () => 'clock_timestamp()' })
  created_at: Date;
}
