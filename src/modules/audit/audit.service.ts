import { Injectable, Logger } from '@nestjs/common';
import { RequestContext } from '../../common/context/request-context';
import { DatabaseService } from '../../database/database.service';
import { AuditLogEntity } from './entities/audit-log.entity';

export interface AuditEvent {
  action: string;
  resourceType: string;
  resourceId?: string | null;
  /** Defaults to the caller's tenant. */
  tenantId?: string | null;
  /** Defaults to the caller. */
  userId?: string | null;
  oldValues?: object | null;
  newValues?: object | null;
}

const SECRET_KEY = /pass(word)?|token|secret|hash|authorization|api[_-]?key|cipher/i;

/** Replaces the value of every secret-looking key, at any depth, before an audit row is written. */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value instanceof Date) return value.toISOString();
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [key, SECRET_KEY.test(key) ? '[REDACTED]' : redactSecrets(inner)]),
    );
  }
  return value;
}

@Injectable()
export class AuditService {
  private readonly logger = new Logger(AuditService.name);

  constructor(private readonly db: DatabaseService) {}

  /**
   * Writes one audit row. Given the mutation's unit of work (`tx`), the row commits (or rolls back) with it. Without
   * one (an event after the work, or about a request that did none), the row gets a unit of its own: scoped to the
   * event's tenant, or — for a platform event without a tenant (a failed login of an unknown e-mail) — cross-tenant.
   */
  async record(ctx: RequestContext, event: AuditEvent): Promise<void> {
    const row = this.toRow(ctx, event);
    if (ctx.manager) {
      await this.db.repo(ctx, AuditLogEntity).insert(row);
      return;
    }
    const write = (tx: RequestContext) =>
      this.db
        .repo(tx, AuditLogEntity)
        .insert(row)
        .then(() => undefined);
    await (row.tenant_id
      ? this.db.asTenant(ctx, row.tenant_id, write)
      : this.db.crossTenant(ctx, 'audit.platform_event', write));
  }

  private toRow(ctx: RequestContext, event: AuditEvent): Partial<AuditLogEntity> {
    return {
      action: event.action,
      resource_type: event.resourceType,
      resource_id: event.resourceId ?? null,
      tenant_id: event.tenantId === undefined ? (ctx.user?.tenantId ?? null) : event.tenantId,
      user_id: event.userId === undefined ? (ctx.user?.id ?? null) : event.userId,
      old_values: (event.oldValues ? redactSecrets(event.oldValues) : null) as object | null,
      new_values: (event.newValues ? redactSecrets(event.newValues) : null) as object | null,
      ip_address: ctx.ip,
      user_agent: ctx.userAgent,
      request_id: ctx.requestId || null,
    };
  }

  /** For events that must never fail the request they describe (e.g. a failed login). */
  async recordSafely(ctx: RequestContext, event: AuditEvent): Promise<void> {
    await this.record(ctx, event).catch((error: Error) =>
      this.logger.error({ err: error, action: event.action }, 'Could not write audit event'),
    );
  }
}
