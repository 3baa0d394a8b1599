import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import argon2 from 'argon2';
import { Semaphore } from '../common/concurrency/semaphore.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';

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

  /** `hash` null means "no such user": a dummy verification runs and the result is false. */
  async verify(hash: string | null, password: string): Promise<boolean> {
    const target = hash ?? this.dummyHash;
    const ok = await this.slots.run(() => argon2.verify(target, password).catch(() => false));
    return hash !== null && ok;
  }
}
