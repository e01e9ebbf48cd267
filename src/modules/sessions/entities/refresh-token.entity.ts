import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Every refresh token ever issued for a session, stored only as a SHA-256 hash. A rotated token keeps a pointer
 * to its successor and, for the short reuse-grace window only, the successor encrypted with a key derived from
 * SECRET_KEY — so two racing tabs presenting the same token both receive the same successor.
 */
@Entity('refresh_tokens')
export class RefreshTokenEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  session_id: string;

  @Column({ type: 'char', length: 64 })
  token_hash: string;

  @CreateDateColumn({ type: 'timestamptz' })
  created_at: Date;

  @Column({ type: 'timestamptz', nullable: true })
  rotated_at: Date | null;

  @Column({ type: 'uuid', nullable: true })
  successor_id: string | null;

  @Column({ type: 'text', nullable: true })
  successor_cipher: string | null;
}
