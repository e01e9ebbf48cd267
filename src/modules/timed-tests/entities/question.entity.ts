import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const QUESTION_TYPES = ['multiple_choice', 'multi_select', 'essay', 'coding'] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];

/** One question of a test version. `correct_answer` / `correct_answers` are answer keys: never sent to candidates. */
@Entity('questions')
export class QuestionEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  tenant_id: string;

  @Column({ type: 'uuid' })
  test_version_id: string;

  @Column({ type: 'int' })
  position: number;

  @Column({ type: 'varchar', length: 20 })
  type: QuestionType;

  @Column({ type: 'text' })
  question: string;

  @Column({ type: 'jsonb', nullable: true })
  options: string[] | null;

  @Column({ type: 'text', nullable: true })
  correct_answer: string | null;

  @Column({ type: 'jsonb', nullable: true })
  correct_answers: string[] | null;

  @Column({ type: 'varchar', length: 50, nullable: true })
  expected_language: string | null;

  @Column({ type: 'int', default: 1 })
  points: number;
}
