import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/app-config.js';
import { TooManyRequestsException } from '../../common/errors/api-exceptions.js';
import { Metrics } from '../../metrics/metrics.service.js';
import { THROTTLE_STORE, type ThrottleStore } from './throttle-store.js';

/**
 * Counts failed logins, never successful ones (each attempt is reserved before the password is
 * checked and given back when it was right), in two windows:
 * - per account *and* client IP: guessing one account's password from one place is stopped,
 *   while the real owner logging in from elsewhere is never locked out (ASVS: throttling must not
 *   allow malicious lockout);
 * - per client IP over all accounts: spraying many accounts from one place is slowed to one
 *   attempt per LOGIN_SLOW_INTERVAL once the budget is spent, never stopped outright, so people
 *   behind one NAT who type their passwords right still get in (and never spend the budget).
 */
@Injectable()
export class LoginThrottleService {
  constructor(
    @Inject(THROTTLE_STORE) private readonly store: ThrottleStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: Metrics,
  ) {}

  private keys(username: string, ip: string) {
    // Hashed so the store never holds usernames in the clear.
    const account = createHash('sha256').update(username.toLowerCase()).digest('base64url').slice(0, 22);
    return { accountAndIp: `login:acct:${account}:${ip}`, ip: `login:ip:${ip}` };
  }

  /**
   * Reserves one attempt in both windows *before* the password is checked, and throws 429 with
   * Retry-After when either window was already spent. The reservation is atomic (one increment in
   * memory, INCR in Redis), so a burst of concurrent guesses cannot pass the check together: at
   * most the limit are ever checked. A failure leaves the reservation counted.
   */
  async reserve(username: string, ip: string): Promise<void> {
    const keys = this.keys(username, ip);
    const limits = this.config.loginThrottle;
    const windowMs = limits.windowSeconds * 1000;
    const [pair, address] = await Promise.all([this.store.hit(keys.accountAndIp, windowMs), this.store.hit(keys.ip, windowMs)]);
    if (pair.count > limits.maxFailuresPerAccountAndIp) throw this.refused(Math.ceil(pair.remainingMs / 1000));
    if (address.count > limits.maxFailuresPerIp) {
      // The address spent its budget: slowed down, not locked out. One attempt per interval is
      // still checked (a right password behind a shared address gets in); the rest wait seconds.
      const slow = await this.store.hit(`login:slow:${ip}`, limits.slowIntervalSeconds * 1000);
      if (slow.count > 1) throw this.refused(Math.max(1, Math.ceil(slow.remainingMs / 1000)));
    }
  }

  /**
   * A correct password: clears that account's failures from that address and gives the address
   * its reservation back, so right passwords never spend an address's budget.
   */
  async succeeded(username: string, ip: string): Promise<void> {
    const keys = this.keys(username, ip);
    await Promise.all([this.store.reset(keys.accountAndIp), this.store.release(keys.ip)]);
  }

  private refused(retryAfterSeconds: number): TooManyRequestsException {
    this.metrics.loginRefused();
    return new TooManyRequestsException(retryAfterSeconds);
  }
}
