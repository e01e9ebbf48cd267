import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsUUID } from 'class-validator';
import {
  CompetencyCode,
  CompetencyName,
  LongText,
  LowerCaseUuid,
  Nullable,
  ShortText,
  Translations,
} from './competency-fields';

export class CreateCompetencyDto {
  @CompetencyCode(true)
  competency_code: string;

  @CompetencyName(true)
  competency_name: string;

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

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  is_active?: boolean;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Superadmin: any tenant (default System). Admin: only its own (a foreign one is 403).',
  })
  @IsOptional()
  @LowerCaseUuid()
  @IsUUID('loose')
  tenant_id?: string;
}
