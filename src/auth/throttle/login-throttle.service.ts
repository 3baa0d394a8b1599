import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/app-config.js';
import { TooManyRequestsException } from '../../common/errors/api-exceptions.js';
import { THROTTLE_STORE, type ThrottleStore } from './throttle-store.js';

/**
 * Counts failed logins, never successful ones, in two windows:
 * - per account *and* client IP: guessing one account's password from one place is stopped,
 *   while the real owner logging in from elsewhere is never locked out (ASVS: throttling must not
 *   allow malicious lockout);
 * - per client IP over all accounts: spraying many accounts from one place is stopped, while
 *   hundreds of people behind one NAT who type their passwords right are never affected.
 */
@Injectable()
export class LoginThrottleService {
  constructor(
    @Inject(THROTTLE_STORE) private readonly store: ThrottleStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private keys(username: string, ip: string) {
    // Hashed so the store never holds usernames in the clear.
    const account = createHash('sha256').update(username.toLowerCase()).digest('base64url').slice(0, 22);
    return { accountAndIp: `login:acct:${account}:${ip}`, ip: `login:ip:${ip}` };
  }

  /** Throws 429 with Retry-After when either window is exhausted. */
  async assertAllowed(username: string, ip: string): Promise<void> {
    const keys = this.keys(username, ip);
    const limits = this.config.loginThrottle;
    const [pair, address] = await Promise.all([this.store.peek(keys.accountAndIp), this.store.peek(keys.ip)]);
    const blocked = [
      pair.count >= limits.maxFailuresPerAccountAndIp ? pair.remainingMs : 0,
      address.count >= limits.maxFailuresPerIp ? address.remainingMs : 0,
    ];
    const waitMs = Math.max(...blocked);
    if (waitMs > 0) {
      throw new TooManyRequestsException(Math.ceil(waitMs / 1000));
    }
  }

  async recordFailure(username: string, ip: string): Promise<void> {
    const keys = this.keys(username, ip);
    const windowMs = this.config.loginThrottle.windowSeconds * 1000;
    await Promise.all([this.store.hit(keys.accountAndIp, windowMs), this.store.hit(keys.ip, windowMs)]);
  }

  /** A correct password clears that account's failures from that address. */
  async recordSuccess(username: string, ip: string): Promise<void> {
    await this.store.reset(this.keys(username, ip).accountAndIp);
  }
}
