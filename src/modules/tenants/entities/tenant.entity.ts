import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

@Entity('tenants')
export class TenantEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 255 })
  name: string;

  @Column({ type: 'text', nullable: true })
  logo_url: string | null;

  @Column({ type: 'jsonb', nullable: true })
  custom_branding: Record<string, unknown> | null;

  @Column({ type: 'int', default: 3 })
  max_test_attempts: number;

  @Column({ type: 'text', array: true, default: () => "'{JDT,SJT}'" })
  allowed_test_types: string[];

  @Column({ type: 'boolean', default: true })
  is_active: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  created_at: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updated_at: Date;
}
