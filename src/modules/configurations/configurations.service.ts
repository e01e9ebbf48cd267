import { Injectable } from '@nestjs/common';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { AuthenticatedContext, RequestContext } from '../../common/context/request-context';
import { targetTenant } from '../../common/context/tenant-scope';
import { Page } from '../../common/http/pagination';
import { DatabaseService } from '../../database/database.service';
import { AuditService } from '../audit/audit.service';
import { SYSTEM_TENANT_ID } from '../../domain/tenancy';
import { TenantDirectoryService } from '../tenants/tenant-directory.service';
import { ConfigType, configSizeBytes, MAX_CONFIG_BYTES, validateConfigData } from './config-shape';
import {
  assertMayWriteConfiguration,
  canReadConfiguration,
  ConfigOwner,
  OwnerRequest,
  resolveOwner,
  seesAnswerKeys,
} from './configuration-rules';
import { CreateConfigurationDto } from './dto/create-configuration.dto';
import {
  ConfigTargetQueryDto,
  ConfigVersionsQueryDto,
  EffectiveConfigQueryDto,
  ListConfigurationsQueryDto,
} from './dto/configuration-queries.dto';
import { ConfigurationResponse, toConfigurationResponse } from './dto/configuration.response';
import { UpdateConfigurationDto } from './dto/update-configuration.dto';
import { ConfigurationEntity } from './entities/configuration.entity';
import { ConfigurationsRepository } from './configurations.repository';
import { TENANT_NOT_FOUND } from '../tenants';
import { VALIDATION_ERROR } from '../../common/errors/common.errors';
import { CONFIG_TOO_LARGE, CONFIGURATION_NOT_FOUND } from './configurations.errors';

/** First key of the two-key advisory lock that serializes saves per (tenant or system, type): ASCII "conf". */
const SAVE_LOCK_NAMESPACE = 0x636f6e66;

/**
 * Configurations: versioned SJT, JDT and global settings per tenant, with a system-scope default. Every save inserts
 * a new immutable version; the previous active one is deactivated in the same transaction. Proctors and candidates
 * only ever receive the candidate-safe view.
 */
@Injectable()
export class ConfigurationsService {
  constructor(
    private readonly db: DatabaseService,
    private readonly configurations: ConfigurationsRepository,
    private readonly audit: AuditService,
    private readonly tenants: TenantDirectoryService,
  ) {}

  /** Admins: their tenant's rows and the system ones. Superadmins: everything. Active versions unless asked. */
  async list(ctx: AuthenticatedContext, query: ListConfigurationsQueryDto): Promise<Page<ConfigurationResponse>> {
    const [rows, total] = await this.db.transaction(ctx, (tx) => this.configurations.list(tx, query));
    return { items: rows.map((row) => this.view(ctx, row)), total };
  }

  async create(ctx: AuthenticatedContext, dto: CreateConfigurationDto): Promise<ConfigurationResponse> {
    return this.db.transaction(ctx, async (tx) => {
      const owner = await this.writableOwner(tx, dto);
      assertValidConfig(dto.config_type, dto.config_data, 'config_data');
      return this.saveVersion(tx, owner, dto.config_type, dto.config_data, 'configuration.create');
    });
  }

  /** POST /sjt|/jdt|/global: the body is the configuration itself. */
  async createFromBody(
    ctx: AuthenticatedContext,
    type: ConfigType,
    body: unknown,
    target: ConfigTargetQueryDto,
  ): Promise<ConfigurationResponse> {
    return this.db.transaction(ctx, async (tx) => {
      const owner = await this.writableOwner(tx, target);
      assertValidConfig(type, body, '');
      return this.saveVersion(tx, owner, type, body as Record<string, unknown>, 'configuration.create');
    });
  }

  async get(ctx: AuthenticatedContext, id: string): Promise<ConfigurationResponse> {
    return this.view(ctx, await this.db.transaction(ctx, (tx) => this.findReadable(tx, id)));
  }

  /** PUT /{id}: the next version of that row's (tenant or system, type), which becomes the active one. */
  async update(ctx: AuthenticatedContext, id: string, dto: UpdateConfigurationDto): Promise<ConfigurationResponse> {
    return this.db.transaction(ctx, async (tx) => {
      const row = await this.findReadable(tx, id);
      assertMayWriteConfiguration(tx.user, row);
      assertValidConfig(row.config_type, dto.config_data, 'config_data');
      return this.saveVersion(tx, row.tenant_id, row.config_type, dto.config_data, 'configuration.update', row.id);
    });
  }

  /** DELETE /{id}: deactivates that version (the type then falls back to the system configuration, if any). */
  async deactivate(ctx: AuthenticatedContext, id: string): Promise<ConfigurationResponse> {
    return this.db.transaction(ctx, async (tx) => {
      const found = await this.findReadable(tx, id);
      assertMayWriteConfiguration(tx.user, found);
      await this.lockOwnerType(tx, found.tenant_id, found.config_type);
      const row = await this.configurations.reload(tx, id);
      if (!row.is_active) return this.view(tx, row);
      await this.db.repo(tx, ConfigurationEntity).update(id, { is_active: false });
      const after = await this.configurations.reload(tx, id);
      await this.audit.record(tx, {
        action: 'configuration.deactivate',
        resourceType: 'configuration',
        resourceId: id,
        tenantId: row.tenant_id ?? SYSTEM_TENANT_ID,
        oldValues: toConfigurationResponse(row),
        newValues: toConfigurationResponse(after),
      });
      return this.view(tx, after);
    });
  }

  /** The configuration in force for the caller's tenant (or, for a superadmin, the named one); null when none. */
  async effective(
    ctx: AuthenticatedContext,
    type: ConfigType,
    query: EffectiveConfigQueryDto,
  ): Promise<ConfigurationResponse | null> {
    const tenantId = targetTenant(ctx, query.tenant_id);
    const row = await this.db.transaction(ctx, (tx) => this.findEffective(tx, tenantId, type));
    return row ? this.view(ctx, row) : null;
  }

  /**
   * For other modules (e.g. submissions recording the version in force): full view, no caller checks; in the
   * caller's unit of work.
   */
  async effectiveFor(ctx: RequestContext, tenantId: string, type: ConfigType): Promise<ConfigurationResponse | null> {
    const row = await this.findEffective(ctx, tenantId, type);
    return row ? toConfigurationResponse(row) : null;
  }

  /** Every version of one (tenant or system, type), newest first. */
  async versions(
    ctx: AuthenticatedContext,
    type: ConfigType,
    query: ConfigVersionsQueryDto,
  ): Promise<Page<ConfigurationResponse>> {
    const owner = resolveOwner(ctx.user, query, 'read');
    const [rows, total] = await this.db.transaction(ctx, (tx) =>
      this.configurations
        .ofOwnerType(tx, owner, type)
        .orderBy('c.version', 'DESC')
        .offset(query.skip)
        .limit(query.limit)
        .getManyAndCount(),
    );
    return { items: rows.map((row) => this.view(ctx, row)), total };
  }

  /**
   * Inserts version max+1 of (owner, type) as the active one and deactivates the previous active version. The
   * advisory lock serializes concurrent saves of the same (owner, type), so versions never repeat or skip and
   * there is never a second active row; the unique indexes would reject either if the lock were ever bypassed.
   */
  private saveVersion(
    ctx: AuthenticatedContext,
    owner: ConfigOwner,
    type: ConfigType,
    data: Record<string, unknown>,
    action: 'configuration.create' | 'configuration.update',
    sourceId?: string,
  ): Promise<ConfigurationResponse> {
    return this.db.transaction(ctx, async (tx) => {
      await this.lockOwnerType(tx, owner, type);
      const repo = this.db.repo(tx, ConfigurationEntity);
      const ofOwnerType = () => this.configurations.ofOwnerType(tx, owner, type);
      const previous = await ofOwnerType().andWhere('c.is_active').getOne();
      const { max } = (await ofOwnerType()
        .select('coalesce(max(c.version), 0)::int', 'max')
        .getRawOne<{ max: number }>())!;
      if (previous) await repo.update(previous.id, { is_active: false });
      const { identifiers } = await repo.insert({
        tenant_id: owner,
        scope: owner === null ? 'system' : 'tenant',
        config_type: type,
        config_data: data,
        version: max + 1,
        is_active: true,
        created_by: tx.user.id,
      } as QueryDeepPartialEntity<ConfigurationEntity>);
      const saved = await this.configurations.reload(tx, identifiers[0].id as string);
      const response = toConfigurationResponse(saved);
      await this.audit.record(tx, {
        action,
        resourceType: 'configuration',
        resourceId: saved.id,
        tenantId: owner ?? SYSTEM_TENANT_ID,
        oldValues: previous ? toConfigurationResponse(previous) : null,
        newValues: sourceId ? { ...response, source_id: sourceId } : response,
      });
      return this.view(tx, saved);
    });
  }

  private async lockOwnerType(ctx: RequestContext, owner: ConfigOwner, type: ConfigType): Promise<void> {
    await this.db
      .manager(ctx)
      .query(`SELECT pg_advisory_xact_lock($1, hashtext($2))`, [SAVE_LOCK_NAMESPACE, `${owner ?? 'system'}:${type}`]);
  }

  /** The owner a write goes to; a superadmin naming a tenant that does not exist gets 404. */
  private async writableOwner(ctx: AuthenticatedContext, request: OwnerRequest): Promise<ConfigOwner> {
    const owner = resolveOwner(ctx.user, request, 'write');
    if (owner !== null && owner !== ctx.user.tenantId && !(await this.tenants.exists(ctx, owner))) {
      throw TENANT_NOT_FOUND();
    }
    return owner;
  }

  /** A row the caller may read, or 404 — a foreign tenant's configuration is indistinguishable from a missing one. */
  private async findReadable(ctx: AuthenticatedContext, id: string): Promise<ConfigurationEntity> {
    const row = await this.configurations.findById(ctx, id);
    if (!row || !canReadConfiguration(ctx.user, row)) throw CONFIGURATION_NOT_FOUND();
    return row;
  }

  /** The tenant's active configuration of `type`, else the active system one, else null. */
  private findEffective(ctx: RequestContext, tenantId: string, type: ConfigType): Promise<ConfigurationEntity | null> {
    return this.configurations.findEffective(ctx, tenantId, type);
  }

  private view(ctx: AuthenticatedContext, row: ConfigurationEntity): ConfigurationResponse {
    return toConfigurationResponse(row, seesAnswerKeys(ctx.user) ? 'full' : 'candidate');
  }
}

/** 413 above MAX_CONFIG_BYTES, then 400 with one entry per problem (the shapes of README, "Interview assessments"). */
export function assertValidConfig(type: ConfigType, data: unknown, root: string): void {
  if (data !== null && typeof data === 'object' && configSizeBytes(data) > MAX_CONFIG_BYTES) {
    throw CONFIG_TOO_LARGE(MAX_CONFIG_BYTES);
  }
  const errors = validateConfigData(type, data, root);
  if (errors.length > 0) throw VALIDATION_ERROR(errors, `Invalid ${type} configuration`);
}
