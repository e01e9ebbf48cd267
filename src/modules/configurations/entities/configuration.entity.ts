import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { ConfigType } from '../config-shape';

export const CONFIG_SCOPES = ['system', 'tenant'] as const;
export type ConfigScope = (typeof CONFIG_SCOPES)[number];

/**
 * One immutable version of a (tenant or system, type) configuration. Only `is_active` ever changes after insert
 * (a database trigger refuses anything else); a save inserts the next version and deactivates the previous one.
 */
@Entity('configurations')
export class ConfigurationEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** null for system scope (the platform-wide default every tenant falls back to). */
  @Column({ type: 'uuid', nullable: true })
  tenant_id: string | null;

  @Column({ type: 'varchar', length: 10 })
  scope: ConfigScope;

  @Column({ type: 'varchar', length: 10 })
  config_type: ConfigType;

  @Column({ type: 'jsonb' })
  config_data: Record<string, unknown>;

  @Column({ type: 'int' })
  version: number;

  @Column({ type: 'boolean', default: true })
  is_active: boolean;

  @Column({ type: 'uuid', nullable: true })
  created_by: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  created_at: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updated_at: Date;
}
