import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { MessageActions1764900000000 } from '../src/database/migrations/1764900000000-MessageActions.js';
import { databaseBefore } from './support/migration-database.js';

/** The MessageActions migration on groups made before roles existed: each gets one owner. */
describe('migration MessageActions1764900000000 on existing data', () => {
  let dataSource: DataSource;
  let close: () => Promise<void>;
  const migration = new MessageActions1764900000000();

  beforeAll(async () => {
    ({ dataSource, close } = await databaseBefore(migration));
  });
  afterAll(async () => {
    await close();
  });

  it('makes the first sender of each group its owner (else the lowest user id), and leaves direct conversations without one', async () => {
    const users: Array<{ id: number }> = await dataSource.query(
      `INSERT INTO users (username, username_key, email, password_hash) VALUES ('u1', 'u1', 'a@example.com', 'x'), ('u2', 'u2', 'b@example.com', 'x'), ('u3', 'u3', 'c@example.com', 'x') RETURNING id`,
    );
    const [u1, u2, u3] = users.map((u) => u.id);
    const conversations: Array<{ id: number }> = await dataSource.query(
      `INSERT INTO conversations (kind, name, direct_user_low, direct_user_high) VALUES ('group', 'g-0000000000000001', NULL, NULL), ('group', 'g-0000000000000002', NULL, NULL), ('direct', 'u1_u2', $1, $2) RETURNING id`,
      [u1, u2],
    );
    const [talked, quiet, direct] = conversations.map((c) => c.id);
    await dataSource.query(`INSERT INTO conversation_members (conversation_id, user_id) SELECT $1, unnest($2::int[])`, [talked, [u1, u2, u3]]);
    await dataSource.query(`INSERT INTO conversation_members (conversation_id, user_id) SELECT $1, unnest($2::int[])`, [quiet, [u2, u3]]);
    await dataSource.query(`INSERT INTO conversation_members (conversation_id, user_id) SELECT $1, unnest($2::int[])`, [direct, [u1, u2]]);
    await dataSource.query(`INSERT INTO messages (conversation_id, sender_id, seq, text) VALUES ($1, $2, 1, 'first'), ($1, $3, 2, 'second')`, [talked, u3, u1]);

    const runner = dataSource.createQueryRunner();
    await migration.up(runner);
    const roles = await runner.query(`SELECT conversation_id, user_id, role FROM conversation_members ORDER BY conversation_id, user_id`);
    expect(roles).toEqual([
      { conversation_id: talked, user_id: u1, role: 'member' },
      { conversation_id: talked, user_id: u2, role: 'member' },
      { conversation_id: talked, user_id: u3, role: 'owner' },
      { conversation_id: quiet, user_id: u2, role: 'owner' },
      { conversation_id: quiet, user_id: u3, role: 'member' },
      { conversation_id: direct, user_id: u1, role: 'member' },
      { conversation_id: direct, user_id: u2, role: 'member' },
    ]);
    expect(await runner.query(`SELECT text, reactions, edited_at, deleted_at, reply_to_id FROM messages ORDER BY seq LIMIT 1`)).toEqual([
      { text: 'first', reactions: [], edited_at: null, deleted_at: null, reply_to_id: null },
    ]);
    await migration.down(runner);
    await migration.up(runner);
    await runner.release();
  });
});
