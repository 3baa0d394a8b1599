import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { TooManyRequestsException } from '../../common/errors/api-exceptions.js';
import { clientIp } from '../../common/decorators/client-ip.decorator.js';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/app-config.js';
import { THROTTLE_STORE, type ThrottleStore } from './throttle-store.js';

/**
 * A per-address budget of registrations per minute, on the routes that create accounts
 * (`@UseGuards(RegistrationThrottleGuard)`): tens by default, which people behind one NAT never
 * meet, while a script creating accounts (each an argon2 hash) gets 429 with a short Retry-After.
 * Shared between instances with Redis, like login throttling. Scoped to its routes rather than
 * global, so no other request runs it.
 */
@Injectable()
export class RegistrationThrottleGuard implements CanActivate {
  constructor(
    @Inject(THROTTLE_STORE) private readonly store: ThrottleStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const ip = clientIp(context.switchToHttp().getRequest<Request>());
    const { count, remainingMs } = await this.store.hit(`register:ip:${ip}`, 60_000);
    if (count > this.config.loginThrottle.maxRegistrationsPerIpPerMinute) throw new TooManyRequestsException(Math.max(1, Math.ceil(remainingMs / 1000)));
    return true;
  }
}
