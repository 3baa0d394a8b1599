import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { EMBEDDED_POOL_SIZE, startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/database/embedded-postgres.js';

/**
 * Test databases. With DATABASE_URL set, each test file gets its own PostgreSQL database cloned
 * from a migrated template (CREATE DATABASE … TEMPLATE, milliseconds). Without it, each file gets
 * its own embedded PostgreSQL opened on a copy of a migrated PGlite data directory (a cold PGlite
 * start costs seconds; reopening a copy well under one). The templates are made once per run by
 * test/global-setup.mjs.
 */
export const TEMPLATE_DB = 'palaver_test_template';
export const TEST_DB_PREFIX = 'palaver_test_';
/** Set by the global setup: where the migrated embedded template lives. */
export const EMBEDDED_TEMPLATE_ENV = 'PALAVER_TEST_EMBEDDED_TEMPLATE';

export function serverUrl(databaseUrl: string, database: string): string {
  const url = new URL(databaseUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function withAdminClient<T>(databaseUrl: string, task: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl(databaseUrl, 'postgres') });
  await client.connect();
  try {
    return await task(client);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  url: string;
  /** Pool size the app must use on it (1 on the embedded database). */
  poolSize?: number;
  drop(): Promise<void>;
}

/** A fresh, migrated database for one test file. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const databaseUrl = process.env.DATABASE_URL;
  if (databaseUrl) {
    const name = `${TEST_DB_PREFIX}${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
    await withAdminClient(databaseUrl, (client) => client.query(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE_DB}`));
    return {
      url: serverUrl(databaseUrl, name),
      drop: () => withAdminClient(databaseUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
    };
  }
  const template = process.env[EMBEDDED_TEMPLATE_ENV];
  if (!template) throw new Error(`${EMBEDDED_TEMPLATE_ENV} is not set: run the tests through npm test (jest's global setup prepares it)`);
  const dir = mkdtempSync(join(tmpdir(), 'palaver-test-db-'));
  cpSync(template, dir, { recursive: true });
  const embedded: EmbeddedPostgres = await startEmbeddedPostgres({ dataDir: dir });
  return {
    url: embedded.url,
    poolSize: EMBEDDED_POOL_SIZE,
    async drop() {
      await embedded.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
