import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { TooManyRequestsException } from '../../common/errors/api-exceptions.js';
import { IS_REGISTRATION_KEY } from '../../common/decorators/registration.decorator.js';
import { clientIp } from '../../common/decorators/client-ip.decorator.js';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/app-config.js';
import { THROTTLE_STORE, type ThrottleStore } from './throttle-store.js';

/**
 * A per-address budget of registrations per minute (`@Registration()` routes): tens by default,
 * which people behind one NAT never meet, while a script creating accounts (each an argon2 hash)
 * gets 429 with a short Retry-After. Shared between instances with Redis, like login throttling.
 */
@Injectable()
export class RegistrationThrottleGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(THROTTLE_STORE) private readonly store: ThrottleStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    if (!this.reflector.getAllAndOverride<boolean>(IS_REGISTRATION_KEY, [context.getHandler(), context.getClass()])) return true;
    const ip = clientIp(context.switchToHttp().getRequest<Request>());
    const { count, remainingMs } = await this.store.hit(`register:ip:${ip}`, 60_000);
    if (count > this.config.loginThrottle.maxRegistrationsPerIpPerMinute) throw new TooManyRequestsException(Math.max(1, Math.ceil(remainingMs / 1000)));
    return true;
  }
}
