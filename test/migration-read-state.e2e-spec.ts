import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { ReadState1764800000000 } from '../src/database/migrations/1764800000000-ReadState.js';
import { databaseBefore } from './support/migration-database.js';

/** The ReadState migration on conversations made before it: members start with everything read. */
describe('migration ReadState1764800000000 on existing data', () => {
  let dataSource: DataSource;
  let close: () => Promise<void>;
  const migration = new ReadState1764800000000();

  beforeAll(async () => {
    ({ dataSource, close } = await databaseBefore(migration));
  });
  afterAll(async () => {
    await close();
  });

  it('marks every existing member as having read up to the latest message, and leaves empty conversations at nothing read', async () => {
    const users: Array<{ id: number }> = await dataSource.query(
      `INSERT INTO users (username, username_key, email, password_hash) VALUES ('alice', 'alice', 'a@example.com', 'x'), ('bob', 'bob', 'b@example.com', 'x') RETURNING id`,
    );
    const [alice, bob] = users.map((u) => u.id);
    const conversations: Array<{ id: number }> = await dataSource.query(`INSERT INTO conversations (kind, name) VALUES ('group', 'g-0000000000000001'), ('group', 'g-0000000000000002') RETURNING id`);
    const [busy, empty] = conversations.map((c) => c.id);
    await dataSource.query(`INSERT INTO conversation_members (conversation_id, user_id) SELECT c, u FROM unnest($1::int[]) c CROSS JOIN unnest($2::int[]) u`, [[busy, empty], [alice, bob]]);
    const messages: Array<{ id: string }> = await dataSource.query(
      `INSERT INTO messages (conversation_id, sender_id, seq, text) VALUES ($1, $2, 1, 'one'), ($1, $3, 2, 'two'), ($1, $2, 3, 'three') RETURNING id`,
      [busy, alice, bob],
    );
    await dataSource.query(`UPDATE conversations SET message_count = 3 WHERE id = $1`, [busy]);

    const runner = dataSource.createQueryRunner();
    await migration.up(runner);
    await runner.release();

    const rows = await dataSource.query(`SELECT conversation_id, user_id, last_read_seq, last_read_message_id FROM conversation_members ORDER BY conversation_id, user_id`);
    const latest = messages[2].id;
    expect(rows).toEqual([
      { conversation_id: busy, user_id: alice, last_read_seq: '3', last_read_message_id: latest },
      { conversation_id: busy, user_id: bob, last_read_seq: '3', last_read_message_id: latest },
      { conversation_id: empty, user_id: alice, last_read_seq: '0', last_read_message_id: null },
      { conversation_id: empty, user_id: bob, last_read_seq: '0', last_read_message_id: null },
    ]);
    expect(await dataSource.query(`SELECT count(*)::int AS n FROM user_presence`)).toEqual([{ n: 0 }]);

    // Down and up again: the revert is clean.
    const again = dataSource.createQueryRunner();
    await migration.down(again);
    await migration.up(again);
    await again.release();
  });
});
