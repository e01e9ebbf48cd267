import { randomBytes } from 'node:crypto';
import * as bcrypt from 'bcrypt';
import { DataSource } from 'typeorm';
import { Role } from '../../src/common/auth/roles';
import { SYSTEM_TENANT_ID } from '../../src/domain/tenancy';
import { TestApp } from './test-app';

export const DEFAULT_PASSWORD = 'Password-123';
const FAST_HASH = bcrypt.hashSync(DEFAULT_PASSWORD, 4);

const unique = () => randomBytes(5).toString('hex');

export interface TenantRow {
  id: string;
  name: string;
  is_active: boolean;
  max_test_attempts: number;
  allowed_test_types: string[];
}

export interface UserRow {
  id: string;
  email: string;
  tenant_id: string;
  role: Role;
  full_name: string;
  password: string;
}

export async function createTenant(db: DataSource, overrides: Partial<TenantRow> = {}): Promise<TenantRow> {
  const [row] = await db.query(
    `INSERT INTO tenants (name, is_active, max_test_attempts, allowed_test_types)
     VALUES ($1, $2, $3, $4) RETURNING id, name, is_active, max_test_attempts, allowed_test_types`,
    [
      overrides.name ?? `Tenant ${unique()}`,
      overrides.is_active ?? true,
      overrides.max_test_attempts ?? 3,
      overrides.allowed_test_types ?? ['JDT', 'SJT'],
    ],
  );
  return row;
}

/** Inserts a user directly (fast bcrypt hash of DEFAULT_PASSWORD unless a password is given). */
export async function createUser(
  db: DataSource,
  options: {
    role?: Role;
    tenantId?: string;
    email?: string;
    password?: string;
    fullName?: string;
    isActive?: boolean;
  } = {},
): Promise<UserRow> {
  const role = options.role ?? 'candidate';
  const password = options.password ?? DEFAULT_PASSWORD;
  const hash = options.password ? bcrypt.hashSync(password, 4) : FAST_HASH;
  const [row] = await db.query(
    `INSERT INTO users (email, password_hash, full_name, role, tenant_id, is_active)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, email, tenant_id, role, full_name`,
    [
      (options.email ?? `${role}-${unique()}@example.test`).toLowerCase(),
      hash,
      options.fullName ?? `${role} ${unique()}`,
      role,
      options.tenantId ?? SYSTEM_TENANT_ID,
      options.isActive ?? true,
    ],
  );
  return { ...row, password };
}

export interface Tokens {
  access_token: string;
  refresh_token: string;
  user: { id: string; tenant_id: string; role: Role };
}

export async function loginAs(t: TestApp, user: { email: string; password: string }): Promise<Tokens> {
  const res = await t.http().post('/auth/login').send({ email: user.email, password: user.password });
  if (res.status !== 200) throw new Error(`login failed for ${user.email}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as Tokens;
}

export const bearer = (tokens: { access_token: string }) => ({ Authorization: `Bearer ${tokens.access_token}` });

/** A tenant with an admin, a proctor and a candidate, all logged in. */
export async function createTenantWithStaff(t: TestApp, tenantOverrides: Partial<TenantRow> = {}) {
  const tenant = await createTenant(t.db, tenantOverrides);
  const admin = await createUser(t.db, { role: 'admin', tenantId: tenant.id });
  const proctor = await createUser(t.db, { role: 'proctor', tenantId: tenant.id });
  const candidate = await createUser(t.db, { role: 'candidate', tenantId: tenant.id });
  const [adminTokens, proctorTokens, candidateTokens] = await Promise.all(
    [admin, proctor, candidate].map((user) => loginAs(t, user)),
  );
  return { tenant, admin, proctor, candidate, adminTokens, proctorTokens, candidateTokens };
}

export async function createSuperadmin(t: TestApp) {
  const superadmin = await createUser(t.db, { role: 'superadmin' });
  return { superadmin, superTokens: await loginAs(t, superadmin) };
}
