import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** One entry of a tenant's competency dictionary. The code is unique per tenant, case-insensitively. */
@Entity('competency_dictionaries')
export class CompetencyEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  tenant_id: string;

  @Column({ type: 'varchar', length: 100 })
  competency_code: string;

  @Column({ type: 'varchar', length: 255 })
  competency_name: string;

  @Column({ type: 'text', nullable: true })
  competency_description: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  meta_competency: string | null;

  @Column({ type: 'jsonb', nullable: true })
  translations: Record<string, unknown> | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  category: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  industry: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  role_category: string | null;

  @Column({ type: 'boolean', default: true })
  is_active: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  created_at: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updated_at: Date;
}
