import { Injectable } from '@nestjs/common';
import { Brackets, SelectQueryBuilder } from 'typeorm';
import { AuthenticatedContext, RequestContext } from '../../common/context/request-context';
import { DatabaseService } from '../../database/database.service';
import { callerScope, TenantScopedRepository, unscoped } from '../../database/tenant-scoped';
import { ConfigType } from './config-shape';
import { ConfigOwner } from './configuration-rules';
import { ListConfigurationsQueryDto } from './dto/configuration-queries.dto';
import { ConfigurationEntity } from './entities/configuration.entity';

/** Matches the expression of the unique indexes, so "system" rows (tenant_id NULL) compare equal to each other. */
const OWNER_KEY = `coalesce(c.tenant_id, '00000000-0000-0000-0000-000000000000'::uuid)`;
const OWNER_PARAM = `coalesce(CAST(:owner AS uuid), '00000000-0000-0000-0000-000000000000'::uuid)`;

/**
 * Reads of the configurations table (src/database/tenant-scoped.ts). A configuration belongs to a tenant or to the
 * system (tenant_id NULL, read by every tenant), so most reads name their owner — a tenant or the system — rather
 * than a tenant_id, and say so with `unscoped`.
 */
@Injectable()
export class ConfigurationsRepository extends TenantScopedRepository<ConfigurationEntity> {
  constructor(db: DatabaseService) {
    super(db, ConfigurationEntity);
  }

  /** Admins: their tenant's rows and the system ones. Superadmins: everything. */
  list(ctx: AuthenticatedContext, query: ListConfigurationsQueryDto): Promise<[ConfigurationEntity[], number]> {
    const scope = callerScope(ctx, {});
    const qb = this.query(ctx, 'c', unscoped('own tenant or system rows (below); a superadmin all', {}));
    if ('tenant_id' in scope) {
      qb.andWhere(
        new Brackets((w) => w.where('c.tenant_id = :own', { own: scope.tenant_id }).orWhere('c.tenant_id IS NULL')),
      );
    }
    if (query.tenant_id) qb.andWhere('c.tenant_id = :tenantId', { tenantId: query.tenant_id });
    if (query.scope) qb.andWhere('c.scope = :scope', { scope: query.scope });
    if (query.config_type) qb.andWhere('c.config_type = :type', { type: query.config_type });
    if (!query.include_inactive) qb.andWhere('c.is_active');
    return qb
      .orderBy('c.created_at', 'DESC')
      .addOrderBy('c.id', 'DESC')
      .offset(query.skip)
      .limit(query.limit)
      .getManyAndCount();
  }

  /** The rows of one owner (a tenant, or the system when null) and type; the caller resolved the owner. */
  ofOwnerType(ctx: RequestContext, owner: ConfigOwner, type: ConfigType): SelectQueryBuilder<ConfigurationEntity> {
    return this.query(ctx, 'c', unscoped('the owner (a tenant or the system) is matched below', {}))
      .andWhere(`${OWNER_KEY} = ${OWNER_PARAM}`, { owner })
      .andWhere('c.config_type = :type', { type });
  }

  /** Any row by id: whether the caller may read it is decided on the row (canReadConfiguration). */
  findById(ctx: RequestContext, id: string): Promise<ConfigurationEntity | null> {
    return this.findOne(ctx, unscoped('readability is decided on the row (system rows have no tenant)', { id }));
  }

  /** A row this transaction has just read or written. */
  reload(ctx: RequestContext, id: string): Promise<ConfigurationEntity> {
    return this.repo(ctx).findOneOrFail({ where: this.scoped(ctx, unscoped('a row of this transaction', { id })) });
  }

  /** The tenant's active configuration of `type`, else the active system one, else null. */
  findEffective(ctx: RequestContext, tenantId: string, type: ConfigType): Promise<ConfigurationEntity | null> {
    return this.query(ctx, 'c', unscoped('the tenant or the system row (below)', {}))
      .andWhere('c.config_type = :type AND c.is_active', { type })
      .andWhere(new Brackets((w) => w.where('c.tenant_id = :tenantId', { tenantId }).orWhere('c.tenant_id IS NULL')))
      .orderBy('c.tenant_id', 'ASC', 'NULLS LAST')
      .getOne();
  }
}
