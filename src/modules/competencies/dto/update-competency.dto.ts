import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean } from 'class-validator';
import {
  CompetencyCode,
  CompetencyName,
  LongText,
  Nullable,
  OptionalNotNull,
  ShortText,
  Translations,
} from './competency-fields';

/** Absent = unchanged; null clears an optional field. The code may be renamed (still unique, case-insensitively). */
export class UpdateCompetencyDto {
  @CompetencyCode(false)
  @OptionalNotNull()
  competency_code?: string;

  @CompetencyName(false)
  @OptionalNotNull()
  competency_name?: string;

  @LongText(10_000)
  @Nullable()
  competency_description?: string | null;

  @ShortText(255)
  @Nullable()
  meta_competency?: string | null;

  @Translations()
  @Nullable()
  translations?: Record<string, unknown> | null;

  @ShortText(100)
  @Nullable()
  category?: string | null;

  @ShortText(100)
  @Nullable()
  industry?: string | null;

  @ShortText(100)
  @Nullable()
  role_category?: string | null;

  @ApiPropertyOptional()
  @IsBoolean()
  @OptionalNotNull()
  is_active?: boolean;
}
