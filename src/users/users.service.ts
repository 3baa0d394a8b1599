import { Injectable } from '@nestjs/common';
import type { User } from './entities/user.entity.js';
import { UsersRepository, type LoginAccount } from './users.repository.js';

@Injectable()
export class UsersService {
  constructor(private readonly users: UsersRepository) {}

  /** The account with its password hash, bio and picture, for login. Usernames match regardless of case. */
  findForLogin(username: string): Promise<LoginAccount | null> {
    return this.users.findForLogin(username);
  }

  /** See {@link UsersRepository.replacePasswordHash}. */
  replacePasswordHash(userId: number, previous: string, next: string): Promise<void> {
    return this.users.replacePasswordHash(userId, previous, next);
  }

  /**
   * The identity behind an access token, on every authenticated request and socket handshake:
   * the account must exist and the token's session (refresh-token family) must not be revoked,
   * so logging out, reuse detection and account deletion stop access tokens at once, not when
   * they expire.
   */
  findIdentity(id: number, sessionId: string): Promise<Pick<User, 'id' | 'username'> | null> {
    return this.users.findIdentity(id, sessionId);
  }

  /** Every user (matching `search`), in id order, at most `cap`, read 1,000 at a time by keyset. */
  async *listAll(options: { search?: string; cap: number }, pageSize = 1000): AsyncGenerator<User[]> {
    let after = 0;
    for (let remaining = options.cap; remaining > 0; ) {
      const page = await this.users.page({ search: options.search, limit: Math.min(pageSize, remaining), after });
      if (page.length) yield page;
      if (page.length < Math.min(pageSize, remaining)) return;
      remaining -= page.length;
      after = page[page.length - 1].id;
    }
  }

  /** A bounded page in id order; `after` is the keyset cursor. */
  list(options: { search?: string; limit: number; after?: number }): Promise<User[]> {
    return this.users.page(options);
  }
}
