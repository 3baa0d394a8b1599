import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { DrfCompatibility1764600000000 } from '../src/database/migrations/1764600000000-DrfCompatibility.js';
import { databaseBefore } from './support/migration-database.js';

/**
 * The DrfCompatibility migration on data made before it: direct rooms named by the old
 * (case-insensitive) order are renamed by code point, their old names kept as aliases; empty bios
 * become null; sessions get the `api` token profile. And it reverts.
 */
describe('migration DrfCompatibility1764600000000 on existing data', () => {
  let dataSource: DataSource;
  let close: () => Promise<void>;
  const migration = new DrfCompatibility1764600000000();

  beforeAll(async () => {
    // Back to the schema before this migration, to fill with data as the previous version wrote it.
    ({ dataSource, close } = await databaseBefore(migration));
  });
  afterAll(async () => {
    await close();
  });

  it('renames direct rooms by code point, keeps the old names resolvable, nulls empty bios', async () => {
    const users: Array<{ id: number }> = await dataSource.query(
      `INSERT INTO users (username, email, password_hash) VALUES ('Zoe', 'z@example.com', 'x'), ('alice', 'a@example.com', 'x'), ('bob', 'b@example.com', 'x'), ('a_b', 'ab@example.com', 'x')
       RETURNING id`,
    );
    const [zoe, alice, bob, underscored] = users.map((u) => u.id);
    await dataSource.query(`INSERT INTO profiles (user_id, bio) VALUES ($1, ''), ($2, 'Био')`, [zoe, alice]);
    const pair = (a: number, b: number) => [Math.min(a, b), Math.max(a, b)];
    const rooms: Array<{ id: number }> = await dataSource.query(
      `INSERT INTO conversations (kind, name, direct_user_low, direct_user_high) VALUES
         ('direct', 'alice_Zoe', $1, $2), ('direct', 'alice_bob', $3, $4), ('direct', 'a_b~Zoe', $5, $6), ('group', 'g-0123456789abcdef', NULL, NULL)
       RETURNING id`,
      [...pair(alice, zoe), ...pair(alice, bob), ...pair(underscored, zoe)],
    );
    await dataSource.query(`INSERT INTO auth_sessions (id, user_id) VALUES ('00000000-0000-4000-8000-000000000001', $1)`, [alice]);

    const runner = dataSource.createQueryRunner();
    await runner.startTransaction();
    await migration.up(runner);
    await runner.commitTransaction();
    await runner.release();

    const names = await dataSource.query(`SELECT id, name FROM conversations ORDER BY id`);
    expect(names.map((r: { name: string }) => r.name)).toEqual(['Zoe_alice', 'alice_bob', 'Zoe~a_b', 'g-0123456789abcdef']);
    const aliases = await dataSource.query(`SELECT name, conversation_id FROM conversation_name_aliases ORDER BY name`);
    expect(aliases).toEqual([
      { name: 'a_b~Zoe', conversation_id: rooms[2].id },
      { name: 'alice_Zoe', conversation_id: rooms[0].id },
    ]);
    const bios = await dataSource.query(`SELECT user_id, bio FROM profiles ORDER BY user_id`);
    expect(bios).toEqual([
      { user_id: zoe, bio: null },
      { user_id: alice, bio: 'Био' },
    ]);
    expect(await dataSource.query(`SELECT token_profile FROM auth_sessions`)).toEqual([{ token_profile: 'api' }]);
  });

  it('reverts', async () => {
    const runner = dataSource.createQueryRunner();
    await migration.down(runner);
    await migration.up(runner);
    await runner.release();
    const tables = await dataSource.query(`SELECT to_regclass('conversation_name_aliases') AS t`);
    expect(tables[0].t).toBe('conversation_name_aliases');
  });
});
