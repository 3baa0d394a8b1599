import { Injectable, OnModuleInit } from '@nestjs/common';
import argon2 from 'argon2';
import { Semaphore } from '../common/concurrency/semaphore.js';

/**
 * argon2id with OWASP's minimum parameters (19 MiB, t=2, p=1). Hashes run on libuv's thread
 * pool; the semaphore keeps at most that many in flight so a login storm queues here instead of
 * starving file and DNS work that shares the pool.
 */
export const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

@Injectable()
export class PasswordHasher implements OnModuleInit {
  private readonly slots = new Semaphore(Number(process.env.UV_THREADPOOL_SIZE) || 4);
  /** Verified against when the account does not exist, so both cases cost the same time. */
  private dummyHash: string;

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
