import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { SubmissionEntity } from './submission.entity';

export const MEDIA_FILE_TYPES = ['video', 'audio'] as const;
export type MediaFileType = (typeof MEDIA_FILE_TYPES)[number];
export const STORAGE_PROVIDERS = ['local', 's3'] as const;
export type StorageProvider = (typeof STORAGE_PROVIDERS)[number];

/** bigint arrives from pg as a string; file sizes are far below 2^53. */
const bigintAsNumber = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};

/** A recorded answer (video or audio) of a submission. Rows go with their submission (ON DELETE CASCADE). */
@Entity('media_files')
export class MediaFileEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  tenant_id: string;

  @Column({ type: 'uuid' })
  submission_id: string;

  @ManyToOne(() => SubmissionEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'submission_id' })
  submission?: SubmissionEntity;

  /** Server-generated object key inside the storage driver; never derived from the client's file name. */
  @Column({ type: 'text' })
  storage_key: string;

  @Column({ type: 'varchar', length: 10, default: 'local' })
  storage_provider: StorageProvider;

  /** A sanitised display name only (Content-Disposition); never used as a path. */
  @Column({ type: 'varchar', length: 255 })
  file_name: string;

  @Column({ type: 'varchar', length: 10 })
  file_type: MediaFileType;

  @Column({ type: 'varchar', length: 255 })
  mime_type: string;

  @Column({ type: 'bigint', transformer: bigintAsNumber })
  file_size: number;

  /** 0-based index into the submission's conversation_history. */
  @Column({ type: 'int' })
  question_index: number;

  @Column({ type: 'varchar', length: 100, nullable: true })
  scenario_id: string | null;

  @Column({ type: 'boolean', default: false })
  is_follow_up: boolean;

  /** 0 = the base question; 1, 2… = its follow-ups. */
  @Column({ type: 'int', default: 0 })
  follow_up_sequence: number;

  @CreateDateColumn({ type: 'timestamptz' })
  created_at: Date;
}
