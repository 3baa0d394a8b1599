import { Injectable } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { FieldValidationException } from '../common/errors/api-exceptions.js';
import { Profile } from '../profiles/entities/profile.entity.js';
import type { User } from './entities/user.entity.js';
import { PasswordHasher } from './password-hasher.service.js';
import { usernameKey } from './username-rules.js';
import { UsersRepository } from './users.repository.js';

export interface NewAccount {
  username: string;
  email: string;
  password: string;
  bio?: string;
  profilePicture?: string | null;
}

const DUPLICATE_USERNAME = 'A user with that username already exists.';
const DUPLICATE_EMAIL = 'A user with that email already exists.';

@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
  ) {}

  /** Creates the account and its profile. Duplicate username or email → 400 naming the field. */
  async register(account: NewAccount): Promise<User> {
    // Cheap uniqueness check first, so a duplicate costs no hashing; the unique indexes still
    // decide races (caught below).
    const key = usernameKey(account.username);
    const taken = await this.users.taken(account.username, key, account.email);
    const fields: Record<string, string[]> = {};
    if (taken.username) fields.username = [DUPLICATE_USERNAME];
    if (taken.email) fields.email = [DUPLICATE_EMAIL];
    if (Object.keys(fields).length) throw new FieldValidationException(fields);

    const passwordHash = await this.hasher.hash(account.password);
    try {
      return await this.users.insert({
        username: account.username,
        usernameKey: key,
        email: account.email.trim(),
        passwordHash,
        profile: Object.assign(new Profile(), { bio: account.bio ?? null, image: account.profilePicture ?? null }),
      });
    } catch (error) {
      const constraint = error instanceof QueryFailedError ? (error.driverError as { constraint?: string }).constraint : undefined;
      if (constraint === 'users_username_lower_key' || constraint === 'users_username_key_key') throw FieldValidationException.forField('username', DUPLICATE_USERNAME);
      if (constraint === 'users_email_lower_key') throw FieldValidationException.forField('email', DUPLICATE_EMAIL);
      throw error;
    }
  }

  /** The account with its password hash and profile, for login. Usernames match regardless of case. */
  findForLogin(username: string): Promise<User | null> {
    return this.users.findForLogin(username);
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
