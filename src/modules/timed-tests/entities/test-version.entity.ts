import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** An immutable snapshot of a test once an attempt has used it (title, duration, pass mark; questions point here). */
@Entity('test_versions')
export class TestVersionEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  tenant_id: string;

  @Column({ type: 'uuid' })
  test_id: string;

  @Column({ type: 'int' })
  version: number;

  @Column({ type: 'varchar', length: 255 })
  title: string;

  @Column({ type: 'text', default: '' })
  description: string;

  @Column({ type: 'int' })
  duration_minutes: number;

  @Column({ type: 'numeric', precision: 5, scale: 2, nullable: true })
  pass_mark_percent: string | null;

  @Column({ type: 'uuid', nullable: true })
  created_by: string | null;

  @Column({ type: 'timestamptz', default: () => 'clock_timestamp()' })
  created_at: Date;
}
