import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { PaginationQueryDto } from '../../../common/http/pagination';
import { Trim } from '../../../common/validation/transforms';
import type { TestType } from '../../../domain/test-types';
import type { SubmissionStatus } from '../entities/submission.entity';
import { StatusField, TestTypeField } from './submission-fields';

export class ListSubmissionsQueryDto extends PaginationQueryDto {
  @TestTypeField(false)
  @IsOptional()
  test_type?: TestType;

  @StatusField()
  @IsOptional()
  status?: SubmissionStatus;

  @ApiPropertyOptional({
    format: 'uuid',
    description: "The owner. A candidate only ever sees its own (another user's id matches nothing)",
  })
  @IsOptional()
  @IsUUID('loose')
  user_id?: string;

  @ApiPropertyOptional({ description: 'External candidate code, exact match', maxLength: 100 })
  @IsOptional()
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  candidate_id?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Superadmin: filter by tenant. Others: only their own tenant is ever listed',
  })
  @IsOptional()
  @IsUUID('loose')
  tenant_id?: string;
}
