import { Injectable } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { AuthenticatedContext } from '../../common/context/request-context';
import { targetTenant } from '../../common/context/tenant-scope';
import { Page } from '../../common/http/pagination';
import { DatabaseService } from '../../database/database.service';
import { AuditService } from '../audit/audit.service';
import { SYSTEM_TENANT_ID } from '../../domain/tenancy';
import { TenantDirectoryService } from '../tenants/tenant-directory.service';
import { CreateCompetencyDto } from './dto/create-competency.dto';
import {
  CompetencyLookupQueryDto,
  DeleteCompetencyQueryDto,
  ListCompetenciesQueryDto,
} from './dto/competency-queries.dto';
import { CompetencyResponse, toCompetencyResponse } from './dto/competency.response';
import { UpdateCompetencyDto } from './dto/update-competency.dto';
import { CompetencyEntity } from './entities/competency.entity';
import { CompetenciesRepository } from './competencies.repository';
import { TENANT_NOT_FOUND } from '../tenants';
import { COMPETENCY_CODE_TAKEN, COMPETENCY_NOT_FOUND } from './competencies.errors';
import { isSuperadmin, managesTenant } from '../../common/auth/role-predicates';

const EDITABLE = [
  'competency_code',
  'competency_name',
  'competency_description',
  'meta_competency',
  'translations',
  'category',
  'industry',
  'role_category',
  'is_active',
] as const;
type Changes = Partial<Pick<CompetencyEntity, (typeof EDITABLE)[number]>>;

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const mayManage = (ctx: AuthenticatedContext) => managesTenant(ctx.user);

/**
 * A tenant's competency dictionary. Every lookup by code is confined to one tenant (the original looked a code up
 * across tenants) and is case-insensitive, like the uniqueness of codes.
 */
@Injectable()
export class CompetenciesService {
  constructor(
    private readonly db: DatabaseService,
    private readonly competencies: CompetenciesRepository,
    private readonly audit: AuditService,
    private readonly tenants: TenantDirectoryService,
  ) {}

  /** Superadmin: every tenant (or the one named). Others: their own tenant; proctors and candidates active entries only. */
  async list(ctx: AuthenticatedContext, query: ListCompetenciesQueryDto): Promise<Page<CompetencyResponse>> {
    const activeOnly = !(query.include_inactive && mayManage(ctx));
    const [rows, total] = await this.db.transaction(ctx, (tx) => this.competencies.list(tx, query, activeOnly));
    return { items: rows.map(toCompetencyResponse), total };
  }

  async create(ctx: AuthenticatedContext, dto: CreateCompetencyDto): Promise<CompetencyResponse> {
    const tenantId = targetTenant(ctx, dto.tenant_id ?? (isSuperadmin(ctx.user) ? SYSTEM_TENANT_ID : null));
    return this.db.transaction(ctx, async (tx) => {
      if (tenantId !== tx.user.tenantId && !(await this.tenants.exists(tx, tenantId))) {
        throw TENANT_NOT_FOUND();
      }
      await this.assertCodeFree(tx, tenantId, dto.competency_code);
      const { identifiers } = await uniqueCode(() =>
        this.db.repo(tx, CompetencyEntity).insert({
          tenant_id: tenantId,
          competency_code: dto.competency_code,
          competency_name: dto.competency_name,
          competency_description: dto.competency_description ?? null,
          meta_competency: dto.meta_competency ?? null,
          translations: dto.translations ?? null,
          category: dto.category ?? null,
          industry: dto.industry ?? null,
          role_category: dto.role_category ?? null,
          is_active: dto.is_active ?? true,
        } as QueryDeepPartialEntity<CompetencyEntity>),
      );
      const created = toCompetencyResponse(await this.competencies.reload(tx, tenantId, identifiers[0].id as string));
      await this.audit.record(tx, {
        action: 'competency.create',
        resourceType: 'competency',
        resourceId: created.id,
        tenantId,
        newValues: created,
      });
      return created;
    });
  }

  async get(ctx: AuthenticatedContext, code: string, query: CompetencyLookupQueryDto): Promise<CompetencyResponse> {
    const row = await this.db.transaction(ctx, (tx) => this.find(tx, code, query.tenant_id));
    return toCompetencyResponse(row);
  }

  async update(
    ctx: AuthenticatedContext,
    code: string,
    dto: UpdateCompetencyDto,
    query: CompetencyLookupQueryDto,
  ): Promise<CompetencyResponse> {
    return this.db.transaction(ctx, async (tx) => {
      const row = await this.find(tx, code, query.tenant_id, true);
      const changes = changesOf(row, dto);
      if (Object.keys(changes).length === 0) return toCompetencyResponse(row);
      if (
        changes.competency_code !== undefined &&
        changes.competency_code.toLowerCase() !== row.competency_code.toLowerCase()
      ) {
        await this.assertCodeFree(tx, row.tenant_id, changes.competency_code);
      }
      await uniqueCode(() =>
        this.db.repo(tx, CompetencyEntity).update(row.id, changes as QueryDeepPartialEntity<CompetencyEntity>),
      );
      const after = toCompetencyResponse(await this.competencies.reload(tx, row.tenant_id, row.id));
      await this.audit.record(tx, {
        action: 'competency.update',
        resourceType: 'competency',
        resourceId: row.id,
        tenantId: row.tenant_id,
        oldValues: toCompetencyResponse(row),
        newValues: after,
      });
      return after;
    });
  }

  /** Deactivates by default; `hard` deletes the row. Returns the entry as it was left (or as it was, when deleted). */
  async remove(ctx: AuthenticatedContext, code: string, query: DeleteCompetencyQueryDto): Promise<CompetencyResponse> {
    return this.db.transaction(ctx, async (tx) => {
      const row = await this.find(tx, code, query.tenant_id, true);
      const before = toCompetencyResponse(row);
      if (query.hard) {
        await this.db.repo(tx, CompetencyEntity).delete(row.id);
        await this.audit.record(tx, {
          action: 'competency.delete',
          resourceType: 'competency',
          resourceId: row.id,
          tenantId: row.tenant_id,
          oldValues: before,
        });
        return before;
      }
      if (!row.is_active) return before;
      await this.db.repo(tx, CompetencyEntity).update(row.id, { is_active: false });
      const after = toCompetencyResponse(await this.competencies.reload(tx, row.tenant_id, row.id));
      await this.audit.record(tx, {
        action: 'competency.deactivate',
        resourceType: 'competency',
        resourceId: row.id,
        tenantId: row.tenant_id,
        oldValues: before,
        newValues: after,
      });
      return after;
    });
  }

  /**
   * The entry with this code (any case) in the one tenant the lookup is about: a superadmin's `tenant_id` (default
   * System), anyone else's own tenant — naming another tenant is 404, like a foreign object. Proctors and
   * candidates see active entries only.
   */
  private async find(
    ctx: AuthenticatedContext,
    code: string,
    requestedTenant: string | undefined,
    lock = false,
  ): Promise<CompetencyEntity> {
    let tenantId = ctx.user.tenantId;
    if (isSuperadmin(ctx.user)) tenantId = requestedTenant ?? SYSTEM_TENANT_ID;
    else if (requestedTenant && requestedTenant !== ctx.user.tenantId) throw COMPETENCY_NOT_FOUND();
    const row = await this.competencies.findByCode(ctx, tenantId, code, { activeOnly: !mayManage(ctx), lock });
    if (!row) throw COMPETENCY_NOT_FOUND();
    return row;
  }

  private async assertCodeFree(ctx: AuthenticatedContext, tenantId: string, code: string): Promise<void> {
    if (await this.competencies.codeTaken(ctx, tenantId, code)) throw COMPETENCY_CODE_TAKEN();
  }
}

function changesOf(row: CompetencyEntity, dto: UpdateCompetencyDto): Changes {
  const changes: Record<string, unknown> = {};
  for (const key of EDITABLE) {
    const value = dto[key];
    if (value === undefined) continue;
    if (key === 'translations' ? !sameJson(value, row.translations) : value !== row[key]) changes[key] = value;
  }
  return changes as Changes;
}

/** The unique index on (tenant_id, lower(competency_code)) decides a race between two writers of one code. */
async function uniqueCode<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    const code = error instanceof QueryFailedError ? (error.driverError as { code?: string }).code : undefined;
    if (code === '23505') throw COMPETENCY_CODE_TAKEN();
    throw error;
  }
}
