import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A timed test of a tenant. Its questions belong to its versions; `current_version_id` is the one new attempts use. */
@Entity('tests')
export class TestEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  tenant_id: string;

  @Column({ type: 'varchar', length: 255 })
  title: string;

  @Column({ type: 'text', default: '' })
  description: string;

  @Column({ type: 'int' })
  duration_minutes: number;

  /** numeric(5,2) comes back from pg as a string; the repository maps it. */
  @Column({ type: 'numeric', precision: 5, scale: 2, nullable: true })
  pass_mark_percent: string | null;

  @Column({ type: 'uuid', nullable: true })
  current_version_id: string | null;

  @Column({ type: 'int', default: 1 })
  version: number;

  @Column({ type: 'uuid', nullable: true })
  created_by: string | null;

  @Column({ type: 'boolean', default: true })
  is_active: boolean;

  @Column({ type: 'timestamptz', nullable: true })
  deleted_at: Date | null;

  @Column({ type: 'timestamptz', default: () => 'clock_timestamp()' })
  created_at: Date;

  @Column({ type: 'timestamptz', default: () => 'clock_timestamp()' })
  updated_at: Date;
}
