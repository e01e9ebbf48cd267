import { ApiProperty } from '@nestjs/swagger';
import { CompetencyEntity } from '../entities/competency.entity';

export class CompetencyResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) tenant_id: string;
  @ApiProperty({ example: 'CUST_FOCUS' }) competency_code: string;
  @ApiProperty({ example: 'Customer Focus' }) competency_name: string;
  @ApiProperty({ nullable: true, type: String }) competency_description: string | null;
  @ApiProperty({ nullable: true, type: String }) meta_competency: string | null;
  @ApiProperty({ nullable: true, type: 'object', additionalProperties: true }) translations: Record<
    string,
    unknown
  > | null;
  @ApiProperty({ nullable: true, type: String }) category: string | null;
  @ApiProperty({ nullable: true, type: String }) industry: string | null;
  @ApiProperty({ nullable: true, type: String }) role_category: string | null;
  @ApiProperty() is_active: boolean;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time' }) updated_at: string;
}

export function toCompetencyResponse(row: CompetencyEntity): CompetencyResponse {
  return {
    id: row.id,
    tenant_id: row.tenant_id,
    competency_code: row.competency_code,
    competency_name: row.competency_name,
    competency_description: row.competency_description,
    meta_competency: row.meta_competency,
    translations: row.translations,
    category: row.category,
    industry: row.industry,
    role_category: row.role_category,
    is_active: row.is_active,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}
