import { ApiProperty } from '@nestjs/swagger';
import { ROLES, Role } from '../../../common/auth/roles';
import { UserEntity } from '../entities/user.entity';

export class UserResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() email: string;
  @ApiProperty() full_name: string;
  @ApiProperty({ description: 'Same as full_name (field name of the original Trajectorie API)' })
  candidate_name: string;
  @ApiProperty({ nullable: true, type: String }) candidate_id: string | null;
  @ApiProperty({ description: "The tenant's name" }) client_name: string;
  @ApiProperty({
    enum: [...ROLES, 'applicant'],
    description:
      'A candidate is rendered `applicant` on the /api/auth/* routes (the Pre-Interview Test frontend needs it)',
  })
  role: Role;
  @ApiProperty({ format: 'uuid' }) tenant_id: string;
  @ApiProperty() preferred_language: string;
  @ApiProperty({ description: 'Same as preferred_language (field name of the original Trajectorie API)' })
  language_code: string;
  @ApiProperty() is_active: boolean;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) last_login: string | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time' }) updated_at: string;
}

/** The only way a user leaves the service layer: explicit fields, never the password hash. */
export function toUserResponse(user: Omit<UserEntity, 'password_hash' | 'tenant'>, tenantName: string): UserResponse {
  return {
    id: user.id,
    email: user.email,
    full_name: user.full_name,
    candidate_name: user.full_name,
    candidate_id: user.candidate_id,
    client_name: tenantName,
    role: user.role,
    tenant_id: user.tenant_id,
    preferred_language: user.preferred_language,
    language_code: user.preferred_language,
    is_active: user.is_active,
    last_login: user.last_login?.toISOString() ?? null,
    created_at: user.created_at.toISOString(),
    updated_at: user.updated_at.toISOString(),
  };
}
