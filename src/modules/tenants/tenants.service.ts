import { Injectable } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { AuthenticatedContext, RequestContext } from '../../common/context/request-context';
import { canAccessTenant } from '../../common/context/tenant-scope';
import { Page } from '../../common/http/pagination';
import { DatabaseService } from '../../database/database.service';
import { AuditService } from '../audit/audit.service';
import { SessionsService } from '../sessions/sessions.service';
import { SubmissionStatisticsService } from '../submissions/submission-statistics.service';
import { TimedTestStatisticsService } from '../timed-tests/timed-test-statistics.service';
import { CreateUserDto, ListUsersQueryDto, UserResponse } from '../users';
import { UserAdministrationService } from '../users/user-administration.service';
import { UserAccountsService } from '../users/user-accounts.service';
import { CreateTenantDto } from './dto/create-tenant.dto';
import { ListTenantsQueryDto } from './dto/list-tenants-query.dto';
import { TenantStatisticsResponse, TenantResponse, toTenantResponse } from './dto/tenant.response';
import { UpdateTenantDto } from './dto/update-tenant.dto';
import { SYSTEM_TENANT_ID } from '../../domain/tenancy';
import { TEST_TYPES } from '../../domain/test-types';
import { TenantEntity } from './entities/tenant.entity';
import { SYSTEM_TENANT_PROTECTED, TENANT_MISMATCH, TENANT_NAME_TAKEN, TENANT_NOT_FOUND } from './tenants.errors';

/** Resending a value unchanged is not a change (no write, no audit row). Key order matters; that is acceptable. */
const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export interface CompanyCounts {
  total: number;
  added_last_7_days: number;
}

/** Tenants (client companies). Superadmins manage them; an admin reads only its own. */
@Injectable()
export class TenantsService {
  constructor(
    private readonly db: DatabaseService,
    private readonly userAdmin: UserAdministrationService,
    private readonly users: UserAccountsService,
    private readonly audit: AuditService,
    private readonly sessions: SessionsService,
    private readonly submissionStatistics: SubmissionStatisticsService,
    private readonly timedTestStatistics: TimedTestStatisticsService,
  ) {}

  async list(ctx: AuthenticatedContext, query: ListTenantsQueryDto): Promise<Page<TenantResponse>> {
    const [rows, total] = await this.db.repo(ctx, TenantEntity).findAndCount({
      where: query.active_only ? { is_active: true } : {},
      order: { created_at: 'DESC', id: 'DESC' },
      skip: query.skip,
      take: query.limit,
    });
    return { items: rows.map(toTenantResponse), total };
  }

  async create(ctx: AuthenticatedContext, dto: CreateTenantDto): Promise<TenantResponse> {
    return this.db.transaction(ctx, async (tx) => {
      await this.assertNameFree(tx, dto.name);
      const { identifiers } = await this.uniqueName(() =>
        this.db.repo(tx, TenantEntity).insert({
          name: dto.name,
          logo_url: dto.logo_url ?? null,
          custom_branding: dto.custom_branding ?? null,
          max_test_attempts: dto.max_test_attempts ?? 3,
          allowed_test_types: dto.allowed_test_types ?? [...TEST_TYPES],
        } as QueryDeepPartialEntity<TenantEntity>),
      );
      const tenant = await this.db.repo(tx, TenantEntity).findOneByOrFail({ id: identifiers[0].id as string });
      const created = toTenantResponse(tenant);
      await this.audit.record(tx, {
        action: 'tenant.create',
        resourceType: 'tenant',
        resourceId: tenant.id,
        tenantId: tenant.id,
        newValues: created,
      });
      return created;
    });
  }

  async get(ctx: AuthenticatedContext, id: string): Promise<TenantResponse> {
    return toTenantResponse(await this.findVisible(ctx, id));
  }

  async update(ctx: AuthenticatedContext, id: string, dto: UpdateTenantDto): Promise<TenantResponse> {
    return this.db.transaction(ctx, async (tx) => {
      const tenant = await this.lockVisible(tx, id);
      return this.write(tx, tenant, this.changesOf(tenant, dto), 'tenant.update');
    });
  }

  /**
   * DELETE deactivates. The tenant's users can no longer log in, and every live session in it is revoked, so
   * their access tokens fail on the next request and stay dead if the tenant is reactivated.
   */
  async deactivate(ctx: AuthenticatedContext, id: string): Promise<TenantResponse> {
    return this.db.transaction(ctx, async (tx) => {
      const tenant = await this.lockVisible(tx, id);
      if (tenant.id === SYSTEM_TENANT_ID) throw SYSTEM_TENANT_PROTECTED();
      const changes: Partial<TenantEntity> = tenant.is_active ? { is_active: false } : {};
      return this.write(tx, tenant, changes, 'tenant.deactivate');
    });
  }

  /**
   * Applies changes to a locked tenant and audits them, in the transaction `ctx` carries; nothing to change means
   * no write and no audit row.
   */
  private async write(
    ctx: AuthenticatedContext,
    tenant: TenantEntity,
    changes: Partial<TenantEntity>,
    action: 'tenant.update' | 'tenant.deactivate',
  ): Promise<TenantResponse> {
    if (Object.keys(changes).length === 0) return toTenantResponse(tenant);
    if (changes.is_active === false && tenant.id === SYSTEM_TENANT_ID) throw SYSTEM_TENANT_PROTECTED();
    if (changes.name !== undefined) await this.assertNameFree(ctx, changes.name, tenant.id);
    await this.uniqueName(() =>
      this.db.repo(ctx, TenantEntity).update(tenant.id, changes as QueryDeepPartialEntity<TenantEntity>),
    );
    const sessionsRevoked =
      changes.is_active === false ? await this.sessions.revokeAllForTenant(ctx, tenant.id, 'tenant_deactivated') : 0;
    const after = await this.db.repo(ctx, TenantEntity).findOneByOrFail({ id: tenant.id });
    await this.audit.record(ctx, {
      action,
      resourceType: 'tenant',
      resourceId: tenant.id,
      tenantId: tenant.id,
      oldValues: toTenantResponse(tenant),
      newValues: { ...toTenantResponse(after), sessions_revoked: sessionsRevoked },
    });
    return toTenantResponse(after);
  }

  async listUsers(ctx: AuthenticatedContext, id: string, query: ListUsersQueryDto): Promise<Page<UserResponse>> {
    await this.findVisible(ctx, id);
    return this.userAdmin.list(ctx, { ...query, tenant_id: id });
  }

  /** POST /tenants/{id}/users: the users API's creation rules, with the tenant taken from the path. */
  async createUser(ctx: AuthenticatedContext, id: string, dto: CreateUserDto): Promise<UserResponse> {
    await this.findVisible(ctx, id);
    if (dto.tenant_id !== undefined && dto.tenant_id !== id) {
      throw TENANT_MISMATCH();
    }
    return this.userAdmin.create(ctx, { ...dto, tenant_id: id });
  }

  async statistics(ctx: AuthenticatedContext, id: string): Promise<TenantStatisticsResponse> {
    await this.findVisible(ctx, id);
    const [users, submissions, timedTests] = await Promise.all([
      this.users.countForTenant(ctx, id),
      this.submissionStatistics.countForTenant(ctx, id),
      this.timedTestStatistics.countForTenant(ctx, id),
    ]);
    return { tenant_id: id, users, submissions, ...timedTests };
  }

  /** Client companies for the platform overview: every tenant but the System one (which holds platform staff). */
  async countCompanies(ctx: RequestContext): Promise<CompanyCounts> {
    const [row] = await this.db.manager(ctx).query(
      `SELECT count(*)::int AS total,
              count(*) FILTER (WHERE created_at > now() - interval '7 days')::int AS added_last_7_days
         FROM tenants
        WHERE id <> $1`,
      [SYSTEM_TENANT_ID],
    );
    return row as CompanyCounts;
  }

  /** A tenant the caller may see, or 404 (a foreign tenant is indistinguishable from a missing one). */
  private async findVisible(ctx: AuthenticatedContext, id: string): Promise<TenantEntity> {
    if (!canAccessTenant(ctx, id)) throw TENANT_NOT_FOUND();
    const tenant = await this.db.repo(ctx, TenantEntity).findOneBy({ id });
    if (!tenant) throw TENANT_NOT_FOUND();
    return tenant;
  }

  private async lockVisible(ctx: AuthenticatedContext, id: string): Promise<TenantEntity> {
    if (!canAccessTenant(ctx, id)) throw TENANT_NOT_FOUND();
    const tenant = await this.db
      .repo(ctx, TenantEntity)
      .findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!tenant) throw TENANT_NOT_FOUND();
    return tenant;
  }

  private changesOf(tenant: TenantEntity, dto: UpdateTenantDto): Partial<TenantEntity> {
    const changes: Partial<TenantEntity> = {};
    if (dto.name !== undefined && dto.name !== tenant.name) changes.name = dto.name;
    if (dto.logo_url !== undefined && dto.logo_url !== tenant.logo_url) changes.logo_url = dto.logo_url;
    if (dto.custom_branding !== undefined && !sameJson(dto.custom_branding, tenant.custom_branding)) {
      changes.custom_branding = dto.custom_branding;
    }
    if (dto.max_test_attempts !== undefined && dto.max_test_attempts !== tenant.max_test_attempts) {
      changes.max_test_attempts = dto.max_test_attempts;
    }
    if (dto.allowed_test_types !== undefined && !sameJson(dto.allowed_test_types, tenant.allowed_test_types)) {
      changes.allowed_test_types = dto.allowed_test_types;
    }
    if (dto.is_active !== undefined && dto.is_active !== tenant.is_active) changes.is_active = dto.is_active;
    return changes;
  }

  private async assertNameFree(ctx: RequestContext, name: string, exceptId?: string): Promise<void> {
    const qb = this.db.repo(ctx, TenantEntity).createQueryBuilder('t').where('lower(t.name) = lower(:name)', { name });
    if (exceptId) qb.andWhere('t.id <> :exceptId', { exceptId });
    if (await qb.getExists()) throw TENANT_NAME_TAKEN();
  }

  /** The case-insensitive unique index decides a race between two creations of the same name. */
  private async uniqueName<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      const code = error instanceof QueryFailedError ? (error.driverError as { code?: string }).code : undefined;
      if (code === '23505') throw TENANT_NAME_TAKEN();
      throw error;
    }
  }
}
