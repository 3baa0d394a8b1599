import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { EntityManager, Repository } from 'typeorm';
import { User } from './entities/user.entity.js';

/** `%`, `_` and `\\` are LIKE wildcards; a username may contain `_`. */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The identity behind an access token: user id and session id (see {@link UsersRepository.findIdentity}). Also run by bench/'s baseline. */
export const IDENTITY_SQL = `SELECT u.id, u.username FROM users u JOIN auth_sessions s ON s.id = $2 AND s.user_id = u.id AND s.revoked_at IS NULL
  WHERE u.id = $1 AND u.deleted_at IS NULL AND u.is_active`;

/** An account as login needs it: the password hash, and what the login answer shows. */
export interface LoginAccount {
  id: number;
  username: string;
  email: string;
  passwordHash: string;
  bio: string | null;
  image: string | null;
}

/** The `users` table: every read and write of accounts goes through here. */
@Injectable()
export class UsersRepository {
  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  /** Which of a username (or its folded key) and an email are taken, in one query. */
  async taken(username: string, key: string, email: string): Promise<{ username: boolean; email: boolean }> {
    const clashes = await this.users
      .createQueryBuilder('u')
      .select(['(lower(u.username) = lower(:username) OR u.username_key = :key) AS username_taken', 'lower(u.email) = lower(:email) AS email_taken'])
      .where('lower(u.username) = lower(:username) OR u.username_key = :key OR lower(u.email) = lower(:email)', { username, key, email })
      .getRawMany<{ username_taken: boolean; email_taken: boolean }>();
    return { username: clashes.some((c) => c.username_taken), email: clashes.some((c) => c.email_taken) };
  }

  /** Inserts an account, inside the caller's transaction (registration also creates its profile). */
  insert(user: Pick<User, 'username' | 'usernameKey' | 'email' | 'passwordHash'>, manager: EntityManager): Promise<User> {
    const repository = manager.getRepository(User);
    return repository.save(repository.create(user));
  }

  /**
   * A live account for login, with its password hash and the bio and picture the login answer
   * shows (read from the profiles table in the same statement). Usernames match regardless of case.
   */
  async findForLogin(username: string): Promise<LoginAccount | null> {
    const rows: Array<{ id: number; username: string; email: string; password_hash: string; bio: string | null; image: string | null }> = await this.users.query(
      `SELECT u.id, u.username, u.email, u.password_hash, p.bio, p.image FROM users u LEFT JOIN profiles p ON p.user_id = u.id
       WHERE lower(u.username) = lower($1) AND u.deleted_at IS NULL AND u.is_active`,
      [username],
    );
    if (!rows.length) return null;
    const [row] = rows;
    return { id: row.id, username: row.username, email: row.email, passwordHash: row.password_hash, bio: row.bio, image: row.image };
  }

  /** The live account behind an access token whose session is not revoked: two primary-key probes in one plain statement. */
  async findIdentity(id: number, sessionId: string): Promise<Pick<User, 'id' | 'username'> | null> {
    const rows: Array<Pick<User, 'id' | 'username'>> = await this.users.query(IDENTITY_SQL, [id, sessionId]);
    return rows[0] ?? null;
  }

  /** Live accounts in id order, at most `limit`, after the keyset cursor `after`, whose username starts with `search` (any case). */
  page(options: { search?: string; limit: number; after?: number }): Promise<User[]> {
    const query = this.users.createQueryBuilder('u').select(['u.id', 'u.username', 'u.email']).where('u.deleted_at IS NULL').orderBy('u.id', 'ASC').limit(options.limit);
    if (options.after !== undefined) query.andWhere('u.id > :after', { after: options.after });
    if (options.search) {
      query.andWhere(`lower(u.username) LIKE :prefix ESCAPE '\\'`, { prefix: `${escapeLike(options.search.toLowerCase())}%` });
    }
    return query.getMany();
  }

  /** The live accounts among `ids` (id and username). */
  liveByIds(ids: number[]): Promise<Array<{ id: number; username: string }>> {
    return this.users.query(`SELECT id, username FROM users WHERE id = ANY($1::int[]) AND deleted_at IS NULL`, [ids]);
  }

  /** The live accounts with this id or this username (any case): a caller and the person they name, in one query. */
  liveByIdOrUsername(id: number, username: string): Promise<Array<{ id: number; username: string }>> {
    return this.users.query(`SELECT id, username FROM users WHERE (id = $1 OR lower(username) = lower($2)) AND deleted_at IS NULL`, [id, username]);
  }

  /** A live account by username (any case), without its profile. */
  findLiveByUsername(username: string): Promise<User | null> {
    return this.users.createQueryBuilder('u').where('lower(u.username) = lower(:username) AND u.deleted_at IS NULL', { username }).getOne();
  }

  /** True when another account has this email (any case). */
  emailTakenByOther(email: string, userId: number, manager: EntityManager): Promise<boolean> {
    return manager.getRepository(User).createQueryBuilder('u').where('lower(u.email) = lower(:email) AND u.id <> :userId', { email, userId }).getExists();
  }

  async setEmail(userId: number, email: string, manager: EntityManager): Promise<void> {
    await manager.update(User, { id: userId }, { email });
  }

  /**
   * Replaces a password hash that has just verified (an imported Django hash, or argon2id with
   * older parameters) with a fresh one, unless the password was changed meanwhile.
   */
  async replacePasswordHash(userId: number, previous: string, next: string): Promise<void> {
    await this.users.query(`UPDATE users SET password_hash = $3 WHERE id = $1 AND password_hash = $2 AND deleted_at IS NULL`, [userId, previous, next]);
  }

  /** A live account's username and password hash, or null. */
  async credentialsOf(userId: number, manager: EntityManager): Promise<{ username: string; passwordHash: string } | null> {
    const rows: Array<{ username: string; password_hash: string }> = await manager.query(`SELECT username, password_hash FROM users WHERE id = $1 AND deleted_at IS NULL`, [userId]);
    return rows.length ? { username: rows[0].username, passwordHash: rows[0].password_hash } : null;
  }

  /**
   * Marks an account deleted and scrubs it: `~deleted~<id>` (`~` is never in a real username), no
   * email, no usable password. The row stays, as the sender of messages in others' conversations.
   */
  async scrub(userId: number, manager: EntityManager): Promise<void> {
    await manager.query(
      `UPDATE users SET username = '~deleted~' || id, username_key = '~deleted~' || id, email = $2, password_hash = '!', deleted_at = now(), updated_at = now() WHERE id = $1`,
      [userId, `deleted-${randomUUID()}@invalid`],
    );
  }
}
