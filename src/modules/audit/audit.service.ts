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

/**
 * Keys whose values are secrets, at any depth. A password is `pass`, `passwd`, `password…` or `passphrase`: not any key
 * that starts with "pass" (an attempt's `passed`, a test's `pass_mark_percent` are what the audit row is for).
 */
const SECRET_KEY = /^pass$|passw(or)?d|passphrase|token|secret|hash|authorization|api[_-]?key|cipher/i;

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

/** The columns of an audit row, in the order `AuditService.rowValues` gives their values. */
export const AUDIT_COLUMNS =
  'tenant_id, user_id, action, resource_type, resource_id, old_values, new_values, ip_address, user_agent, request_id';

/** jsonb values serialised here, as TypeORM did (pg would send a top-level array as a PostgreSQL array). */
function valuesOf(row: Partial<AuditLogEntity>): unknown[] {
  return [
    row.tenant_id ?? null,
    row.user_id ?? null,
    row.action,
    row.resource_type,
    row.resource_id ?? null,
    row.old_values == null ? null : JSON.stringify(row.old_values),
    row.new_values == null ? null : JSON.stringify(row.new_values),
    row.ip_address ?? null,
    row.user_agent ?? null,
    row.request_id ?? null,
  ];
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
      await this.insertPrepared(ctx, row);
      return;
    }
    const write = (tx: RequestContext) => this.insertPrepared(tx, row);
    await (row.tenant_id
      ? this.db.asTenant(ctx, row.tenant_id, write)
      : this.db.crossTenant(ctx, 'audit.platform_event', write));
  }

  /**
   * In the caller's unit, as a named prepared statement (parsed and planned once per connection, without TypeORM's
   * insert builder): most mutations write one row.
   */
  private async insertPrepared(tx: RequestContext, row: Partial<AuditLogEntity>): Promise<void> {
    await this.db.prepared(
      tx,
      'audit-insert',
      `INSERT INTO audit_logs (${AUDIT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      valuesOf(row),
    );
  }

  /**
   * The values of the audit row of `event`, in the order of AUDIT_COLUMNS: for a statement that writes the row
   * together with the change it records (a hot path's one round trip); it must run in the caller's unit of work.
   */
  rowValues(ctx: RequestContext, event: AuditEvent): unknown[] {
    return valuesOf(this.toRow(ctx, event));
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
