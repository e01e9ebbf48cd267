import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { normaliseRole } from '../../../common/auth/roles';
import { IsNewPassword, MaxBytes, MAX_PASSWORD_BYTES } from '../../../common/validation/password';
import { NormaliseEmail, Trim } from '../../../common/validation/transforms';
import { UserResponse } from '../../users';

export class LoginDto {
  @ApiProperty({ example: 'admin@gmail.com' })
  @NormaliseEmail()
  @IsEmail()
  @MaxLength(255)
  email: string;

  @ApiProperty({ example: 'admin123', description: 'At most 72 bytes' })
  @IsString()
  @IsNotEmpty()
  @MaxBytes(MAX_PASSWORD_BYTES)
  password: string;
}

export class RefreshDto {
  @ApiProperty()
  @IsString()
  @IsNotEmpty()
  @MaxLength(512)
  refresh_token: string;
}

export class LogoutDto {
  @ApiPropertyOptional({
    description: 'Accepted for compatibility and ignored: the session comes from the access token',
  })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  refresh_token?: string;
}

export class RegisterDto {
  @ApiProperty()
  @NormaliseEmail()
  @IsEmail()
  @MaxLength(255)
  email: string;

  @IsNewPassword()
  password: string;

  @ApiPropertyOptional({ description: 'Display name (the original Pre-Interview Test API)' })
  @IsOptional()
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  full_name?: string;

  @ApiPropertyOptional({
    description: 'Display name (the original Trajectorie API); full_name wins when both are given',
  })
  @IsOptional()
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  candidate_name?: string;

  @ApiPropertyOptional({ description: 'External candidate code, unique per tenant' })
  @IsOptional()
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  candidate_id?: string;

  @ApiPropertyOptional({ description: 'A valid invitation for this e-mail admits registration into its tenant' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  invite_token?: string;

  @ApiPropertyOptional({ description: 'Only candidate (or its synonym applicant); anything else is 403' })
  @IsOptional()
  @Transform(({ value }) => normaliseRole(value))
  @IsString()
  role?: string;

  @ApiPropertyOptional({
    description: 'Accepted for the original Trajectorie API and ignored (the tenant decides the client name)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  client_name?: string;

  @ApiPropertyOptional({ example: 'en' })
  @IsOptional()
  @IsString()
  @MaxLength(10)
  preferred_language?: string;
}

export class ChangePasswordDto {
  @ApiProperty()
  @IsString()
  @IsNotEmpty()
  @MaxBytes(MAX_PASSWORD_BYTES)
  current_password: string;

  @IsNewPassword()
  new_password: string;
}

export class LoginResponse {
  @ApiProperty() access_token: string;
  @ApiProperty({ description: 'Opaque; rotates on every refresh' }) refresh_token: string;
  @ApiProperty({ enum: ['bearer'] }) token_type: 'bearer';
  @ApiProperty({ description: 'Access-token lifetime in seconds' }) expires_in: number;
  @ApiProperty({ type: UserResponse }) user: UserResponse;
}

export class SessionResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time' }) last_used_at: string;
  @ApiProperty({ format: 'date-time' }) expires_at: string;
  @ApiProperty({ nullable: true, type: String }) ip_address: string | null;
  @ApiProperty({ nullable: true, type: String }) user_agent: string | null;
  @ApiProperty({ description: 'True for the session of the token making this request' }) current: boolean;
}

export class MessageResponse {
  @ApiProperty() message: string;
}
