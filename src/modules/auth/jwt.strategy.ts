import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { AuthenticatedUser } from '../../common/context/request-context';
import { isUuid } from '../../common/http/uuid-param';
import { AppConfigService } from '../../config/app-config.service';
import { SessionsService } from '../sessions/sessions.service';
import { ACCESS_TOKEN_TYPE, AccessTokenClaims, signingKey } from './token.service';
import { INVALID_TOKEN } from '../../common/errors/common.errors';
import { SESSION_REVOKED } from './auth.errors';

/**
 * HS256 only (an `alg: none` or RS256-confused token is refused by the verifier), `typ` must be "access", `exp`,
 * `iat`, `sub` and `sid` must be present, and the session must still be live with an active user and tenant — so
 * logout, deactivation, password and role changes cut a token on its next request. Role and tenant are read from the database, not trusted from the token.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    config: AppConfigService,
    private readonly sessions: SessionsService,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // passport-jwt hands the key to jsonwebtoken, which takes a KeyObject (its typings say string | Buffer).
      secretOrKey: signingKey(config.auth.secretKey) as unknown as string,
      algorithms: ['HS256'],
      ignoreExpiration: false,
    });
  }

  async validate(claims: Partial<AccessTokenClaims & { exp: number; iat: number }>): Promise<AuthenticatedUser> {
    // The verifier only checks `exp` when present: a token without one (signed with a leaked key) would never
    // expire, so `exp` and `iat` are required here, as are the claims this app itself puts in every token.
    if (
      claims.typ !== ACCESS_TOKEN_TYPE ||
      !isUuid(claims.sub) ||
      !isUuid(claims.sid) ||
      !Number.isFinite(claims.exp) ||
      !Number.isFinite(claims.iat)
    ) {
      throw INVALID_TOKEN();
    }
    const profile = await this.sessions.principal(claims.sid, claims.sub);
    if (!profile) throw SESSION_REVOKED();
    return {
      id: profile.id,
      tenantId: profile.tenant_id,
      role: profile.role,
      email: profile.email,
      fullName: profile.full_name,
      sessionId: claims.sid,
      profile,
    };
  }
}
