import type { EntityManager } from 'typeorm';
import { Role } from '../auth/roles';

/** The user's row as the authentication guard read it (no password hash), plus its tenant's name. */
export interface UserProfileRow {
  id: string;
  tenant_id: string;
  tenant_name: string;
  email: string;
  full_name: string;
  candidate_id: string | null;
  role: Role;
  preferred_language: string;
  is_active: boolean;
  last_login: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface AuthenticatedUser {
  id: string;
  tenantId: string;
  role: Role;
  email: string;
  fullName: string;
  sessionId: string;
  /** Read in the same query that validated the session: `GET /auth/me` needs no second round trip. */
  profile: UserProfileRow;
}

/**
 * The caller, passed explicitly as the first argument of every service method (never looked up ambiently).
 * `manager` is the unit of work the caller's queries run in, if any: `DatabaseService.transaction` / `asTenant` /
 * `crossTenant` set it on the context they hand on (`tx`), so callees take no separate manager parameter. It is a
 * transaction scoped by PostgreSQL row-level security to one tenant (or, named, to every tenant); without it,
 * DatabaseService refuses to query.
 */
export interface RequestContext {
  requestId: string;
  ip: string | null;
  userAgent: string | null;
  user: AuthenticatedUser | null;
  manager?: EntityManager;
}

export interface AuthenticatedContext extends RequestContext {
  user: AuthenticatedUser;
}

/** A context for work the system does on its own behalf (bootstrap, background jobs). */
export function systemContext(requestId = 'system'): RequestContext {
  return { requestId, ip: null, userAgent: null, user: null };
}
