import type { MigrationInterface } from 'typeorm';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { createTestDatabase } from './test-database.js';

/**
 * A fresh test database taken back to the schema before `migration` (its `down`), to fill with
 * data as the previous version wrote it and then run the migration on. `close()` drops it.
 */
export async function databaseBefore(migration: MigrationInterface): Promise<{ dataSource: DataSource; close(): Promise<void> }> {
  const db = await createTestDatabase();
  const dataSource = new DataSource(dataSourceOptions(db.url, { poolSize: db.poolSize ?? 2, migrationsRun: false }));
  await dataSource.initialize();
  const runner = dataSource.createQueryRunner();
  await migration.down(runner);
  await runner.release();
  return {
    dataSource,
    async close() {
      await dataSource.destroy();
      await db.drop();
    },
  };
}
