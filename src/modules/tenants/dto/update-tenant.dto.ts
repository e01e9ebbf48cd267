import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean } from 'class-validator';
import { TestType } from '../../../domain/test-types';
import {
  AllowedTestTypes,
  CustomBranding,
  LogoUrl,
  MaxTestAttempts,
  Nullable,
  OptionalNotNull,
  TenantName,
} from './tenant-fields';

/** Typed fields only (the original set any model attribute, id and created_at included). Absent = unchanged. */
export class UpdateTenantDto {
  @ApiPropertyOptional({ example: 'Acme Corp', maxLength: 255 })
  @TenantName()
  @OptionalNotNull()
  name?: string;

  @LogoUrl()
  @Nullable()
  logo_url?: string | null;

  @CustomBranding()
  @Nullable()
  custom_branding?: Record<string, unknown> | null;

  @MaxTestAttempts()
  @OptionalNotNull()
  max_test_attempts?: number;

  @AllowedTestTypes()
  @OptionalNotNull()
  allowed_test_types?: TestType[];

  @ApiPropertyOptional({ description: "false deactivates the tenant: its users' tokens stop working" })
  @IsBoolean()
  @OptionalNotNull()
  is_active?: boolean;
}
