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
 * `manager` is the transaction the caller's queries run in, if any: `DatabaseService.transaction(ctx, (tx) => …)`
 * sets it on the context it hands on, so callees take no separate manager parameter. It is also the hook for
 * PostgreSQL row-level security: a per-request transaction that has run `SET LOCAL app.tenant_id = …` can be placed
 * here and every repository obtained through DatabaseService will use it.
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
