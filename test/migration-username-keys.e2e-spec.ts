import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../src/database/data-source-options.js';
import { UsernameKeys1764700000000 } from '../src/database/migrations/1764700000000-UsernameKeys.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

/** The UsernameKeys migration on accounts made before it, look-alikes included (review finding 9). */
describe('migration UsernameKeys1764700000000 on existing data', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  const migration = new UsernameKeys1764700000000();

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = new DataSource(dataSourceOptions(db.url, { poolSize: db.poolSize ?? 2, migrationsRun: false }));
    await dataSource.initialize();
    const runner = dataSource.createQueryRunner();
    await migration.down(runner);
    await runner.release();
  });
  afterAll(async () => {
    await dataSource.destroy();
    await db.drop();
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
