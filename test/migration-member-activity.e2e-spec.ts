import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { MemberActivity1765300000000 } from '../src/database/migrations/1765300000000-MemberActivity.js';
import { databaseBefore } from './support/migration-database.js';

/** The MemberActivity migration on conversations made before it: every membership gets its conversation's activity. */
describe('migration MemberActivity1765300000000 on existing data', () => {
  let dataSource: DataSource;
  let close: () => Promise<void>;
  const migration = new MemberActivity1765300000000();

  beforeAll(async () => {
    ({ dataSource, close } = await databaseBefore(migration));
  });
  afterAll(async () => {
    await close();
  });

  it('copies each conversation activity to its members, then keeps the copies by trigger; down and up again is clean', async () => {
    const users: Array<{ id: number }> = await dataSource.query(
      `INSERT INTO users (username, username_key, email, password_hash) VALUES ('alice', 'alice', 'a@example.com', 'x'), ('bob', 'bob', 'b@example.com', 'x') RETURNING id`,
    );
    const [alice, bob] = users.map((u) => u.id);
    const conversations: Array<{ id: number }> = await dataSource.query(
      `INSERT INTO conversations (kind, name, last_activity_at) VALUES ('group', 'g-0000000000000001', '2020-01-01T00:00:00Z'), ('group', 'g-0000000000000002', '2021-06-01T12:00:00.123456Z') RETURNING id`,
    );
    const [old, newer] = conversations.map((c) => c.id);
    await dataSource.query(`INSERT INTO conversation_members (conversation_id, user_id) SELECT c, u FROM unnest($1::int[]) c CROSS JOIN unnest($2::int[]) u`, [[old, newer], [alice, bob]]);

    const runner = dataSource.createQueryRunner();
    await migration.up(runner);
    await runner.release();

    const copies = () => dataSource.query(`SELECT conversation_id, user_id, to_char(last_activity_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') AS at FROM conversation_members ORDER BY conversation_id, user_id`);
    expect(await copies()).toEqual([
      { conversation_id: old, user_id: alice, at: '2020-01-01 00:00:00.000000' },
      { conversation_id: old, user_id: bob, at: '2020-01-01 00:00:00.000000' },
      { conversation_id: newer, user_id: alice, at: '2021-06-01 12:00:00.123456' },
      { conversation_id: newer, user_id: bob, at: '2021-06-01 12:00:00.123456' },
    ]);
    await dataSource.query(`UPDATE conversations SET last_activity_at = '2022-02-02T02:02:02.000002Z' WHERE id = $1`, [old]);
    expect((await copies()).slice(0, 2).map((r: { at: string }) => r.at)).toEqual(['2022-02-02 02:02:02.000002', '2022-02-02 02:02:02.000002']);

    const again = dataSource.createQueryRunner();
    await migration.down(again);
    await migration.up(again);
    await again.release();
    expect((await copies()).map((r: { at: string }) => r.at)).toEqual(['2022-02-02 02:02:02.000002', '2022-02-02 02:02:02.000002', '2021-06-01 12:00:00.123456', '2021-06-01 12:00:00.123456']);
  });
});
