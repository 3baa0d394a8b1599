import { ExecutionContext, HttpException, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { IS_PUBLIC_KEY } from '../common/decorators/public.decorator.js';
import { AuthFailure, AuthService, invalidAccessToken } from './auth.service.js';
import { LegacyTokensService } from './legacy-tokens.service.js';

/**
 * Global and default-deny: every HTTP route needs a valid access token unless marked `@Public()`.
 * Refusals are SimpleJWT's: no credentials → `not_authenticated`, a bad token → `token_not_valid`.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(
    private readonly reflector: Reflector,
    private readonly legacy: LegacyTokensService,
    private readonly auth: AuthService,
  ) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    if (context.getType() !== 'http') return true; // sockets authenticate in their handshake
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, [context.getHandler(), context.getClass()]);
    if (isPublic) return true;
    if (this.legacy.enabled) {
      const request = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined>; user?: unknown }>();
      const token = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
      // The original Django system's token (DJANGO_SECRET_KEY): checked by its own rules, not passport's.
      if (token && this.legacy.isLegacy(token)) {
        return this.auth.authenticateLegacyAccessToken(token).then((user) => {
          request.user = user;
          return true;
        });
      }
    }
    return super.canActivate(context);
  }

  override handleRequest<TUser>(error: unknown, user: TUser, info: unknown): TUser {
    if (error instanceof HttpException) throw error;
    if (error) throw error;
    if (!user) {
      const reason = info instanceof Error ? info : undefined;
      if (!reason || reason.message === 'No auth token') throw new AuthFailure('Authentication credentials were not provided.', 'not_authenticated');
      throw invalidAccessToken(reason.name === 'TokenExpiredError' ? 'Token is expired' : 'Token is invalid or expired');
    }
    return user;
  }
}
