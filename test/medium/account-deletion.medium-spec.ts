import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { AccountDeletionService } from '../../src/accounts/account-deletion.service.js';
import { SessionsRepository } from '../../src/auth/sessions.repository.js';
import { LoginThrottleService } from '../../src/auth/throttle/login-throttle.service.js';
import { MemoryThrottleStore, THROTTLE_STORE } from '../../src/auth/throttle/throttle-store.js';
import { BlocksRepository } from '../../src/chat/persistence/blocks.repository.js';
import { ConversationsRepository } from '../../src/chat/persistence/conversations.repository.js';
import { DomainEvents } from '../../src/events/domain-events.js';
import { PostsRepository } from '../../src/posts/posts.repository.js';
import { MediaService } from '../../src/profiles/media/media.service.js';
import { ProfilesRepository } from '../../src/profiles/profiles.repository.js';
import { PasswordHasher } from '../../src/users/password-hasher.service.js';
import { UsersRepository } from '../../src/users/users.repository.js';
import { startMedium, type MediumContext } from '../support/medium.js';

/** Account deletion through every module's repository, in one transaction, on a real database. */
describe('AccountDeletionService (medium)', () => {
  let m: MediumContext;
  let deletion: AccountDeletionService;
  let zoe: number;
  let bob: number;
  let direct: number;
  let group: number;
  const deleted: number[] = [];

  beforeAll(async () => {
    m = await startMedium([
      AccountDeletionService,
      UsersRepository,
      ProfilesRepository,
      PostsRepository,
      SessionsRepository,
      ConversationsRepository,
      BlocksRepository,
      PasswordHasher,
      LoginThrottleService,
      { provide: THROTTLE_STORE, useValue: new MemoryThrottleStore() },
      MediaService,
    ]);
    deletion = m.get(AccountDeletionService);
    m.get(DomainEvents).on('account.deleted', ({ userId }) => void deleted.push(userId));
    [zoe, bob] = [await m.user('zoe'), await m.user('bob')];
    await m.dataSource.query(`UPDATE users SET password_hash = $2 WHERE id = $1`, [zoe, await m.get(PasswordHasher).hash('right password')]);
    const conversations = m.get(ConversationsRepository);
    direct = (await conversations.createDirect('bob_zoe', bob, zoe)) as number;
    group = await conversations.createGroup('g-medium0000000002', [zoe, bob]);
    await m.dataSource.query(`INSERT INTO messages (conversation_id, sender_id, text, seq) VALUES ($1, $2, 'kept', 1)`, [group, zoe]);
    await m.dataSource.query(`INSERT INTO posts (author_id, title, content) VALUES ($1, 't', 'c')`, [zoe]);
    await m.dataSource.query(`INSERT INTO friendships (user_id, friend_id) VALUES ($1, $2), ($2, $1)`, [zoe, bob]);
    await m.dataSource.query(`UPDATE profiles SET bio = 'hi' WHERE user_id = $1`, [zoe]);
    await m.get(BlocksRepository).block(zoe, bob);
    await m.get(BlocksRepository).block(bob, zoe);
    await m.get(SessionsRepository).open({ id: randomUUID(), userId: zoe, profile: 'api' }, { id: randomUUID(), hash: Buffer.alloc(32), expiresAt: new Date(Date.now() + 60_000) }, 10);
  });
  afterAll(async () => {
    await m.close();
  });

  const count = async (sql: string, ...params: unknown[]) => Number((await m.dataSource.query(sql, params))[0].count);

  it('refuses a wrong password and changes nothing', async () => {
    await expect(deletion.deleteAccount(zoe, 'wrong password', '127.0.0.1')).rejects.toMatchObject({ fields: { password: ['Incorrect password.'] } });
    expect(await count(`SELECT count(*) FROM posts WHERE author_id = $1`, zoe)).toBe(1);
    expect(deleted).toEqual([]);
  });

  it("removes what was the person's and keeps what belongs to the conversations, in one go", async () => {
    await deletion.deleteAccount(zoe, 'right password', '127.0.0.1');
    expect(await count(`SELECT count(*) FROM posts WHERE author_id = $1`, zoe)).toBe(0);
    expect(await count(`SELECT count(*) FROM friendships WHERE user_id = $1 OR friend_id = $1`, zoe)).toBe(0);
    expect(await count(`SELECT count(*) FROM auth_sessions WHERE user_id = $1`, zoe)).toBe(0);
    expect(await count(`SELECT count(*) FROM conversation_members WHERE user_id = $1`, zoe)).toBe(0);
    expect(await count(`SELECT count(*) FROM user_blocks WHERE blocker_id = $1 OR blocked_id = $1`, zoe)).toBe(0);
    expect(await count(`SELECT count(*) FROM messages WHERE sender_id = $1`, zoe)).toBe(1);
    const [user] = await m.dataSource.query(`SELECT username, email, password_hash, deleted_at FROM users WHERE id = $1`, [zoe]);
    expect(user).toMatchObject({ username: `~deleted~${zoe}`, password_hash: '!' });
    expect(user.email).toMatch(/@invalid$/);
    expect(user.deleted_at).not.toBeNull();
    const [profile] = await m.dataSource.query(`SELECT bio, image FROM profiles WHERE user_id = $1`, [zoe]);
    expect(profile).toEqual({ bio: null, image: null });
    // The direct room gave its name up; the group kept its own.
    const names = await m.dataSource.query(`SELECT id, name FROM conversations WHERE id = ANY($1::int[]) ORDER BY id`, [[direct, group]]);
    expect(names).toEqual([{ id: direct, name: `x-${direct}` }, { id: group, name: 'g-medium0000000002' }]);
    expect(deleted).toEqual([zoe]);
    // Gone: a second deletion finds no account.
    await expect(deletion.deleteAccount(zoe, 'right password', '127.0.0.1')).rejects.toMatchObject({ status: 404 });
  });
});
