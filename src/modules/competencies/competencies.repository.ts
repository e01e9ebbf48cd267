import { Injectable } from '@nestjs/common';
import { AuthenticatedContext, RequestContext } from '../../common/context/request-context';
import { DatabaseService } from '../../database/database.service';
import { callerScope, TenantScopedRepository } from '../../database/tenant-scoped';
import { ListCompetenciesQueryDto } from './dto/competency-queries.dto';
import { CompetencyEntity } from './entities/competency.entity';

/** Reads of the competencies table (src/database/tenant-scoped.ts). Codes compare case-insensitively. */
@Injectable()
export class CompetenciesRepository extends TenantScopedRepository<CompetencyEntity> {
  constructor(db: DatabaseService) {
    super(db, CompetencyEntity);
  }

  /** Superadmin: every tenant (or the one named). Others: their own tenant. */
  list(
    ctx: AuthenticatedContext,
    query: ListCompetenciesQueryDto,
    activeOnly: boolean,
  ): Promise<[CompetencyEntity[], number]> {
    const qb = this.query(ctx, 'c', callerScope(ctx, {}));
    if (query.tenant_id) qb.andWhere('c.tenant_id = :tenantId', { tenantId: query.tenant_id });
    if (activeOnly) qb.andWhere('c.is_active');
    return qb
      .orderBy('lower(c.competency_code)', 'ASC')
      .addOrderBy('c.tenant_id', 'ASC')
      .offset(query.skip)
      .limit(query.limit)
      .getManyAndCount();
  }

  /** The entry with this code (any case) in one tenant; optionally active only, optionally locked. */
  findByCode(
    ctx: RequestContext,
    tenantId: string,
    code: string,
    options: { activeOnly: boolean; lock: boolean },
  ): Promise<CompetencyEntity | null> {
    const qb = this.query(ctx, 'c', { tenant_id: tenantId }).andWhere('lower(c.competency_code) = lower(:code)', {
      code,
    });
    if (options.activeOnly) qb.andWhere('c.is_active');
    if (options.lock) qb.setLock('pessimistic_write');
    return qb.getOne();
  }

  codeTaken(ctx: RequestContext, tenantId: string, code: string): Promise<boolean> {
    return this.query(ctx, 'c', { tenant_id: tenantId })
      .andWhere('lower(c.competency_code) = lower(:code)', { code })
      .getExists();
  }

  reload(ctx: RequestContext, tenantId: string, id: string): Promise<CompetencyEntity> {
    return this.repo(ctx).findOneOrFail({ where: this.scoped(ctx, { id, tenant_id: tenantId }) });
  }
}
