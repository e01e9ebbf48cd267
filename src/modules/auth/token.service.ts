import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { Role } from '../../common/auth/roles';
import { AppConfigService } from '../../config/app-config.service';

export const ACCESS_TOKEN_TYPE = 'access';

export interface AccessTokenClaims {
  sub: string;
  sid: string;
  tid: string;
  role: Role;
  typ: typeof ACCESS_TOKEN_TYPE;
}

@Injectable()
export class TokenService {
  constructor(
    private readonly jwt: JwtService,
    private readonly config: AppConfigService,
  ) {}

  get accessTokenSeconds(): number {
    return this.config.auth.accessTokenMinutes * 60;
  }

  signAccess(user: { id: string; tenant_id: string; role: Role }, sessionId: string): string {
    const claims: AccessTokenClaims = {
      sub: user.id,
      sid: sessionId,
      tid: user.tenant_id,
      role: user.role,
      typ: ACCESS_TOKEN_TYPE,
    };
    return this.jwt.sign(claims, {
      secret: this.config.auth.secretKey,
      algorithm: 'HS256',
      expiresIn: this.accessTokenSeconds,
    });
  }
}
