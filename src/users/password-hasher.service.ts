import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import argon2 from 'argon2';
import { Semaphore } from '../common/concurrency/semaphore.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import { djangoAlgorithm, isUnusableDjangoPassword, verifyDjangoPassword } from './django-passwords.js';

/**
 * argon2id with OWASP's minimum parameters (19 MiB, t=2, p=1). Hashes run on libuv's thread
 * pool; the semaphore (PASSWORD_HASH_CONCURRENCY, by default one fewer than the CPUs) keeps a
 * login storm queued here instead of taking every core from the event loop, and from file and
 * DNS work that shares the pool (docs/performance.md).
 */
export const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

@Injectable()
export class PasswordHasher implements OnModuleInit {
  private readonly slots: Semaphore;
  /** Verified against when the account does not exist, so both cases cost the same time. */
  private dummyHash: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.slots = new Semaphore(config.passwordHashConcurrency);
  }

  async onModuleInit(): Promise<void> {
    this.dummyHash = await this.hash('dummy password for timing equalisation');
  }

  hash(password: string): Promise<string> {
    return this.slots.run(() => argon2.hash(password, ARGON2_OPTIONS));
  }

  /**
   * `hash` null means "no such user": a dummy verification runs and the result is false. Besides
   * Palaver's argon2id, the hashes of an imported Django deployment are verified as Django would
   * (src/users/django-passwords.ts); {@link needsRehash} then says to replace them. An unusable
   * password (`!…`: a deleted account, or Django's `set_unusable_password`) matches nothing, after
   * the same dummy work.
   */
  async verify(hash: string | null, password: string): Promise<boolean> {
    const usable = hash !== null && !isUnusableDjangoPassword(hash);
    const target = usable ? hash : this.dummyHash;
    const ok = await this.slots.run(() => (djangoAlgorithm(target) ? verifyDjangoPassword(target, password) : argon2.verify(target, password).catch(() => false)));
    return usable && ok;
  }

  /** Whether a stored hash that has just verified should be replaced by a fresh argon2id one (imported, or older parameters). */
  needsRehash(hash: string): boolean {
    if (!hash.startsWith('$argon2id$')) return true;
    try {
      return argon2.needsRehash(hash, ARGON2_OPTIONS);
    } catch {
      return true;
    }
  }
}
