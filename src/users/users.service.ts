import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { QueryFailedError, Repository } from 'typeorm';
import { FieldValidationException } from '../common/errors/api-exceptions.js';
import { Profile } from '../profiles/entities/profile.entity.js';
import { User } from './entities/user.entity.js';
import { PasswordHasher } from './password-hasher.service.js';
import { usernameKey } from './username-rules.js';

export interface NewAccount {
  username: string;
  email: string;
  password: string;
  bio?: string;
  profilePicture?: string | null;
}

const DUPLICATE_USERNAME = 'A user with that username already exists.';
const DUPLICATE_EMAIL = 'A user with that email already exists.';

/** `%`, `_` and `\` are LIKE wildcards; a username may contain `_`. */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The identity behind an access token: user id and session id (see {@link UsersService.findIdentity}). Also run by bench/'s baseline. */
export const IDENTITY_SQL = `SELECT u.id, u.username FROM users u JOIN auth_sessions s ON s.id = $2 AND s.user_id = u.id AND s.revoked_at IS NULL
  WHERE u.id = $1 AND u.deleted_at IS NULL`;

@Injectable()
export class UsersService {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly hasher: PasswordHasher,
  ) {}

  /** Creates the account and its profile. Duplicate username or email → 400 naming the field. */
  async register(account: NewAccount): Promise<User> {
    // Cheap uniqueness check first, so a duplicate costs no hashing; the unique indexes still
    // decide races (caught below).
    const key = usernameKey(account.username);
    const clashes = await this.users
      .createQueryBuilder('u')
      .select(['(lower(u.username) = lower(:username) OR u.username_key = :key) AS username_taken', 'lower(u.email) = lower(:email) AS email_taken'])
      .where('lower(u.username) = lower(:username) OR u.username_key = :key OR lower(u.email) = lower(:email)', {
        username: account.username,
        key,
        email: account.email,
      })
      .getRawMany<{ username_taken: boolean; email_taken: boolean }>();
    const fields: Record<string, string[]> = {};
    if (clashes.some((c) => c.username_taken)) fields.username = [DUPLICATE_USERNAME];
    if (clashes.some((c) => c.email_taken)) fields.email = [DUPLICATE_EMAIL];
    if (Object.keys(fields).length) throw new FieldValidationException(fields);

    const passwordHash = await this.hasher.hash(account.password);
    const user = this.users.create({
      username: account.username,
      usernameKey: key,
      email: account.email.trim(),
      passwordHash,
      profile: Object.assign(new Profile(), { bio: account.bio ?? null, image: account.profilePicture ?? null }),
    });
    try {
      // One transaction: the user row, then its profile (cascade).
      return await this.users.save(user);
    } catch (error) {
      const constraint = error instanceof QueryFailedError ? (error.driverError as { constraint?: string }).constraint : undefined;
      if (constraint === 'users_username_lower_key' || constraint === 'users_username_key_key') throw FieldValidationException.forField('username', DUPLICATE_USERNAME);
      if (constraint === 'users_email_lower_key') throw FieldValidationException.forField('email', DUPLICATE_EMAIL);
      throw error;
    }
  }

  /** The account with its password hash and profile, for login. Usernames match regardless of case. */
  findForLogin(username: string): Promise<User | null> {
    return this.users
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .leftJoinAndSelect('u.profile', 'p')
      .where('lower(u.username) = lower(:username) AND u.deleted_at IS NULL', { username })
      .getOne();
  }

  /**
   * The identity behind an access token, on every authenticated request and socket handshake:
   * the account must exist and the token's session (refresh-token family) must not be revoked,
   * so logging out, reuse detection and account deletion stop access tokens at once, not when
   * they expire. Two primary-key probes in one plain statement.
   */
  async findIdentity(id: number, sessionId: string): Promise<Pick<User, 'id' | 'username'> | null> {
    const rows: Array<Pick<User, 'id' | 'username'>> = await this.users.query(IDENTITY_SQL, [id, sessionId]);
    return rows[0] ?? null;
  }

  /** Every user (matching `search`), in id order, at most `cap`, read 1,000 at a time by keyset. */
  async *listAll(options: { search?: string; cap: number }, pageSize = 1000): AsyncGenerator<User[]> {
    let after = 0;
    for (let remaining = options.cap; remaining > 0; ) {
      const page = await this.list({ search: options.search, limit: Math.min(pageSize, remaining), after });
      if (page.length) yield page;
      if (page.length < Math.min(pageSize, remaining)) return;
      remaining -= page.length;
      after = page[page.length - 1].id;
    }
  }

  /** A bounded page in id order; `after` is the keyset cursor. */
  list(options: { search?: string; limit: number; after?: number }): Promise<User[]> {
    const query = this.users.createQueryBuilder('u').select(['u.id', 'u.username', 'u.email']).where('u.deleted_at IS NULL').orderBy('u.id', 'ASC').limit(options.limit);
    if (options.after !== undefined) query.andWhere('u.id > :after', { after: options.after });
    if (options.search) {
      query.andWhere(`lower(u.username) LIKE :prefix ESCAPE '\\'`, { prefix: `${escapeLike(options.search.toLowerCase())}%` });
    }
    return query.getMany();
  }
}
