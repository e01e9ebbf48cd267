import { Injectable } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { In } from 'typeorm';
import { RequestContext } from '../../../common/context/request-context';
import { DatabaseService } from '../../../database/database.service';
import { scoped, ScopedWhere, unscoped } from '../../../database/tenant-scoped';
import { QuestionEntity, QuestionType } from '../entities/question.entity';
import { TestVersionEntity } from '../entities/test-version.entity';
import { TestEntity } from '../entities/test.entity';

/*
 * What invitations and attempts read of a test: the test row, a version and its questions, and the candidate-safe
 * view of them (no answer keys). Written against the test tables directly until the tests feature exports its own
 * loaders; only reads, always inside the caller's unit of work.
 */

export class CandidateQuestion {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: ['multiple_choice', 'multi_select', 'essay', 'coding'] }) type: QuestionType;
  @ApiProperty() question: string;
  @ApiProperty({ type: [String], nullable: true }) options: string[] | null;
  @ApiProperty({ type: String, nullable: true }) expected_language: string | null;
  @ApiProperty() points: number;
}

/** A test as a candidate sees it: never `correct_answer` / `correct_answers`. */
export class CandidateTest {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) version_id: string;
  @ApiProperty() version: number;
  @ApiProperty() title: string;
  @ApiProperty() description: string;
  @ApiProperty() duration_minutes: number;
  @ApiProperty({ type: [CandidateQuestion] }) questions: CandidateQuestion[];
}

export interface TestVersionContent {
  version: TestVersionEntity;
  questions: QuestionEntity[];
}

export function toCandidateTest(content: TestVersionContent): CandidateTest {
  const { version, questions } = content;
  return {
    id: version.test_id,
    version_id: version.id,
    version: version.version,
    title: version.title,
    description: version.description,
    duration_minutes: version.duration_minutes,
    questions: questions.map((q) => ({
      id: q.id,
      type: q.type,
      question: q.question,
      options: q.options,
      expected_language: q.expected_language,
      points: q.points,
    })),
  };
}

@Injectable()
export class TestContentReader {
  constructor(private readonly db: DatabaseService) {}

  /** The test (active or not) under a scoped where; null when missing or out of scope. */
  findTest(ctx: RequestContext, where: ScopedWhere<TestEntity>): Promise<TestEntity | null> {
    return this.db.repo(ctx, TestEntity).findOne({ where: scoped<TestEntity>(ctx, where) });
  }

  /** Titles of tests by id, in one query (lists of invitations: the ids come from rows already scoped). */
  async titles(ctx: RequestContext, ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.repo(ctx, TestEntity).find({
      select: { id: true, title: true },
      where: scoped<TestEntity>(
        ctx,
        unscoped('tests of invitations already read in scope', { id: In([...new Set(ids)]) }),
      ),
    });
    return new Map(rows.map((row) => [row.id, row.title]));
  }

  /** A version and its questions in order; null when the version does not exist in this tenant. */
  async loadVersion(ctx: RequestContext, tenantId: string, versionId: string): Promise<TestVersionContent | null> {
    const version = await this.db
      .repo(ctx, TestVersionEntity)
      .findOne({ where: scoped<TestVersionEntity>(ctx, { id: versionId, tenant_id: tenantId }) });
    if (!version) return null;
    const questions = await this.db.repo(ctx, QuestionEntity).find({
      where: scoped<QuestionEntity>(ctx, { test_version_id: versionId, tenant_id: tenantId }),
      order: { position: 'ASC' },
    });
    return { version, questions };
  }
}
