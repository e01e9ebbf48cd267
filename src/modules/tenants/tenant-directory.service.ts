import { Injectable } from '@nestjs/common';
import { RequestContext } from '../../common/context/request-context';
import { DatabaseService } from '../../database/database.service';
import type { TenantSummary } from '../../domain/tenancy';
import { TenantEntity } from './entities/tenant.entity';
import { TENANT_INACTIVE, TENANT_NOT_FOUND } from './tenants.errors';

/**
 * How other features read a tenant: plain `TenantSummary` values, never the entity. It is separate from
 * TenantsService because TenantsService depends on the users module (tenant users are created through it), so
 * the users module reading tenants through TenantsService would be a module cycle; this service depends on
 * nothing but the (global) database.
 */
@Injectable()
export class TenantDirectoryService {
  constructor(private readonly db: DatabaseService) {}

  async exists(ctx: RequestContext, id: string): Promise<boolean> {
    return this.db.repo(ctx, TenantEntity).existsBy({ id });
  }

  /**
   * The tenant, or 404 TENANT_NOT_FOUND / 409 TENANT_INACTIVE. A transaction context reads inside its transaction.
   */
  async requireActive(ctx: RequestContext, id: string): Promise<TenantSummary> {
    const tenant = await this.db.repo(ctx, TenantEntity).findOneBy({ id });
    if (!tenant) throw TENANT_NOT_FOUND();
    if (!tenant.is_active) throw TENANT_INACTIVE();
    return { id: tenant.id, name: tenant.name, is_active: tenant.is_active };
  }
}
