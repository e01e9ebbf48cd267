import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsEmail, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { Role } from '../../../common/auth/roles';
import { IsNewPassword } from '../../../common/validation/password';
import { NormaliseEmail } from '../../../common/validation/transforms';
import { CandidateCode, DisplayName, LanguageCode, OptionalNotNull, UserRole } from './user-fields';

export class CreateUserDto {
  @ApiProperty({ example: 'jane@example.com' })
  @NormaliseEmail()
  @IsEmail()
  @MaxLength(255)
  email: string;

  @IsNewPassword()
  password: string;

  /** full_name or candidate_name is required (checked by the service, which reports one clear error). */
  @DisplayName('Display name; full_name or candidate_name is required (full_name wins)')
  @OptionalNotNull()
  full_name?: string;

  @DisplayName('Display name (field name of the original Trajectorie API)')
  @OptionalNotNull()
  candidate_name?: string;

  @CandidateCode()
  @IsOptional()
  candidate_id?: string | null;

  @UserRole()
  @IsOptional()
  role?: Role;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Superadmin: any tenant (default System). Admin: only its own (a foreign one is 403).',
  })
  @IsOptional()
  @IsUUID('loose')
  tenant_id?: string;

  @ApiPropertyOptional({
    description: "Accepted for the frontend of the original Trajectorie API and ignored (the tenant's name is used)",
  })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  client_name?: string;

  @LanguageCode('Preferred language (default "en")')
  @IsOptional()
  preferred_language?: string;

  @LanguageCode('Same as preferred_language (field name of the original Trajectorie API)')
  @IsOptional()
  language_code?: string;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  is_active?: boolean;
}
