import { Injectable } from '@nestjs/common';
import { RequestContext } from '../../common/context/request-context';
import { DatabaseService } from '../../database/database.service';
import { TenantScopedRepository, unscoped } from '../../database/tenant-scoped';
import { SessionEntity } from './entities/session.entity';

/**
 * Reads of the sessions table (src/database/tenant-scoped.ts). A session is looked up by its own id or its user's:
 * a user has sessions only in the tenant it belongs to, and the token is the authority, so these say `unscoped`.
 */
@Injectable()
export class SessionsRepository extends TenantScopedRepository<SessionEntity> {
  constructor(db: DatabaseService) {
    super(db, SessionEntity);
  }

  /** Locked for the rest of the transaction (refresh-token rotation). */
  lockById(ctx: RequestContext, id: string): Promise<SessionEntity> {
    return this.query(ctx, 's', unscoped('the presented refresh token names the session', { id }))
      .setLock('pessimistic_write')
      .getOneOrFail();
  }

  listLive(ctx: RequestContext, userId: string): Promise<SessionEntity[]> {
    return this.query(ctx, 's', unscoped('a user’s own sessions', { user_id: userId }))
      .andWhere('s.revoked_at IS NULL AND s.expires_at > now()')
      .orderBy('s.created_at', 'DESC')
      .getMany();
  }

  findOwn(ctx: RequestContext, userId: string, sessionId: string): Promise<SessionEntity | null> {
    return this.findOne(ctx, unscoped('a user’s own session', { id: sessionId, user_id: userId }));
  }
}
