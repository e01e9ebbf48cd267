import type { EntityManager } from 'typeorm';
import { Role } from '../auth/roles';

export interface AuthenticatedUser {
  id: string;
  tenantId: string;
  role: Role;
  email: string;
  fullName: string;
  sessionId: string;
}

/**
 * The caller, passed explicitly as the first argument of every service method (never looked up ambiently).
 * `manager` is the hook for PostgreSQL row-level security: a per-request transaction that has run
 * `SET LOCAL app.tenant_id = …` can be placed here and every repository obtained through DatabaseService will use it.
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
