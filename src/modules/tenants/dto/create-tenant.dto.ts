import { ApiProperty } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { TestType } from '../../../domain/test-types';
import { AllowedTestTypes, CustomBranding, LogoUrl, MaxTestAttempts, Nullable, TenantName } from './tenant-fields';

export class CreateTenantDto {
  @ApiProperty({ example: 'Acme Corp', description: 'Unique, case-insensitively', maxLength: 255 })
  @TenantName()
  name: string;

  @LogoUrl()
  @Nullable()
  logo_url?: string | null;

  @CustomBranding()
  @Nullable()
  custom_branding?: Record<string, unknown> | null;

  @MaxTestAttempts()
  @IsOptional()
  max_test_attempts?: number;

  @AllowedTestTypes()
  @IsOptional()
  allowed_test_types?: TestType[];
}
