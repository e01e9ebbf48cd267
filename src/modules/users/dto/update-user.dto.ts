import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsEmail, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { Role } from '../../../common/auth/roles';
import { NormaliseEmail } from '../../../common/validation/transforms';
import {
  CandidateCode,
  DisplayName,
  LanguageCode,
  OptionalNewPassword,
  OptionalNotNull,
  UserRole,
} from './user-fields';

/** Every field optional; absent = unchanged. Candidates and proctors may send only the self-service fields. */
export class UpdateUserDto {
  @ApiPropertyOptional()
  @OptionalNotNull()
  @NormaliseEmail()
  @IsEmail()
  @MaxLength(255)
  email?: string;

  @DisplayName('Display name (self-service)')
  @OptionalNotNull()
  full_name?: string;

  @DisplayName('Same as full_name (field name of the original Trajectorie API); full_name wins when both are given')
  @OptionalNotNull()
  candidate_name?: string;

  /** null clears it. */
  @CandidateCode()
  @IsOptional()
  candidate_id?: string | null;

  @LanguageCode('Preferred language (self-service)')
  @OptionalNotNull()
  preferred_language?: string;

  @LanguageCode('Same as preferred_language (field name of the original Trajectorie API)')
  @OptionalNotNull()
  language_code?: string;

  @ApiPropertyOptional({ description: 'false deactivates and revokes every session of the user' })
  @OptionalNotNull()
  @IsBoolean()
  is_active?: boolean;

  @UserRole()
  @OptionalNotNull()
  role?: Role;

  @ApiPropertyOptional({ format: 'uuid', description: 'Superadmin only: moves the user to another tenant' })
  @OptionalNotNull()
  @IsUUID('loose')
  tenant_id?: string;

  @ApiPropertyOptional({ description: 'Accepted for the original Trajectorie API and ignored' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  client_name?: string;

  /** An administrator's password reset; the user's sessions are revoked. Own password: POST /auth/change-password. */
  @OptionalNewPassword()
  password?: string;
}
