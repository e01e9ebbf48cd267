import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { AuthenticatedUser } from '../../common/context/request-context';
import { INVALID_TOKEN, TOKEN_EXPIRED } from '../../common/errors/common.errors';
import { AppConfigService } from '../../config/app-config.service';
import { JwtStrategy } from './jwt.strategy';
import { signingKey } from './token.service';

/**
 * An access token checked outside HTTP (the proctoring Socket.IO handshake): the same verification passport-jwt
 * does for the REST guard (HS256 only, signature, `exp`), then the strategy's own `validate` (claims, live session,
 * active user and tenant, role from the database) — one rule for both doors, nothing duplicated.
 */
@Injectable()
export class AccessTokenService {
  constructor(
    private readonly jwt: JwtService,
    private readonly config: AppConfigService,
    private readonly strategy: JwtStrategy,
  ) {}

  async authenticate(token: string): Promise<AuthenticatedUser> {
    let claims: unknown;
    try {
      claims = this.jwt.verify(token, {
        secret: signingKey(this.config.auth.secretKey) as unknown as string,
        algorithms: ['HS256'],
      });
    } catch (error) {
      if ((error as { name?: string }).name === 'TokenExpiredError') throw TOKEN_EXPIRED();
      throw INVALID_TOKEN();
    }
    if (!claims || typeof claims !== 'object') throw INVALID_TOKEN();
    return this.strategy.validate(claims as Parameters<JwtStrategy['validate']>[0]);
  }
}
