import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { AuthenticatedUser } from '../common/decorators/current-user.decorator.js';
import { AuthService } from './auth.service.js';
import type { TokenClaims } from './tokens.service.js';
import { hasCriticalHeader, TokensService } from './tokens.service.js';

/** Bearer access tokens on REST, verified with the same options as {@link TokensService.verify}. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    tokens: TokensService,
    private readonly auth: AuthService,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // The key, unless the token carries a `crit` header (refused, see hasCriticalHeader).
      secretOrKeyProvider: (_request: unknown, rawToken: string, done: (error: Error | null, key?: Buffer) => void) =>
        hasCriticalHeader(rawToken) ? done(new Error('Token has a critical header')) : done(null, tokens.key),
      ignoreExpiration: false,
      algorithms: tokens.verifyOptions.algorithms,
      issuer: tokens.verifyOptions.issuer,
      audience: tokens.verifyOptions.audience,
      jsonWebTokenOptions: { clockTolerance: tokens.verifyOptions.clockTolerance },
    });
  }

  validate(claims: Partial<TokenClaims>): Promise<AuthenticatedUser> {
    return this.auth.authenticateClaims(claims);
  }
}
