import { ApiProperty } from '@nestjs/swagger';
import { AuditLogEntity } from '../entities/audit-log.entity';

export class AuditLogResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) tenant_id: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'The actor (null: anonymous or system)' })
  user_id: string | null;
  @ApiProperty({ example: 'user.update' }) action: string;
  @ApiProperty({ example: 'user' }) resource_type: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) resource_id: string | null;
  @ApiProperty({ nullable: true, type: 'object', additionalProperties: true, description: 'Secrets redacted' })
  old_values: object | null;
  @ApiProperty({ nullable: true, type: 'object', additionalProperties: true, description: 'Secrets redacted' })
  new_values: object | null;
  @ApiProperty({ nullable: true, type: String }) ip_address: string | null;
  @ApiProperty({ nullable: true, type: String }) user_agent: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'X-Request-Id of the request that did it' })
  request_id: string | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;
}

export function toAuditLogResponse(row: AuditLogEntity): AuditLogResponse {
  return {
    id: row.id,
    tenant_id: row.tenant_id,
    user_id: row.user_id,
    action: row.action,
    resource_type: row.resource_type,
    resource_id: row.resource_id,
    old_values: row.old_values,
    new_values: row.new_values,
    ip_address: row.ip_address,
    user_agent: row.user_agent,
    request_id: row.request_id,
    created_at: row.created_at.toISOString(),
  };
}
