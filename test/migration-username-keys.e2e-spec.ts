import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { UsernameKeys1764700000000 } from '../src/database/migrations/1764700000000-UsernameKeys.js';
import { databaseBefore } from './support/migration-database.js';

/** The UsernameKeys migration on accounts made before it, look-alikes included (review finding 9). */
describe('migration UsernameKeys1764700000000 on existing data', () => {
  let dataSource: DataSource;
  let close: () => Promise<void>;
  const migration = new UsernameKeys1764700000000();

  beforeAll(async () => {
    // Back to the schema before this migration, to fill with data as the previous version wrote it.
    ({ dataSource, close } = await databaseBefore(migration));
  });
  afterAll(async () => {
    await close();
  });

  it('gives every account its folded key; of two that fold alike, the older keeps it', async () => {
    await dataSource.query(
      `INSERT INTO users (username, email, password_hash) VALUES ('Straße', 'a@example.com', 'x'), ('alice', 'b@example.com', 'x'), ('STRASSE', 'c@example.com', 'x')`,
    );
    const runner = dataSource.createQueryRunner();
    await migration.up(runner);
    await runner.release();
    const rows = await dataSource.query(`SELECT username, username_key FROM users ORDER BY id`);
    expect(rows).toEqual([
      { username: 'Straße', username_key: 'strasse' },
      { username: 'alice', username_key: 'alice' },
      { username: 'STRASSE', username_key: null },
    ]);
    await expect(dataSource.query(`INSERT INTO users (username, email, password_hash, username_key) VALUES ('strasse2', 'd@example.com', 'x', 'strasse')`)).rejects.toThrow(/users_username_key_key/);
  });
});
