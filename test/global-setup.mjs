// Jest global setup (plain ESM: Jest loads this file outside its TypeScript transform). It uses
// the build in dist/ (`npm test` builds first) to migrate one template database per run; each
// test file then gets a fresh copy (see support/test-database.ts).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../dist/src/database/data-source-options.js';
import { startEmbeddedPostgres } from '../dist/src/database/embedded-postgres.js';

Logger.overrideLogger(['error', 'warn']);

export const TEMPLATE_DB = 'palaver_test_template';

export function serverUrl(databaseUrl, database) {
  const url = new URL(databaseUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function withAdminClient(databaseUrl, task) {
  const client = new pg.Client({ connectionString: serverUrl(databaseUrl, 'postgres') });
  await client.connect();
  try {
    return await task(client);
  } finally {
    await client.end();
  }
}

async function migrate(url) {
  const dataSource = new DataSource(dataSourceOptions(url, { poolSize: 1, migrationsRun: false }));
  await dataSource.initialize();
  try {
    await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await dataSource.destroy();
  }
}

export default async function globalSetup() {
  const databaseUrl = process.env.DATABASE_URL;
  if (databaseUrl) {
    await withAdminClient(databaseUrl, async (client) => {
      await client.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DB} WITH (FORCE)`);
      await client.query(`CREATE DATABASE ${TEMPLATE_DB}`);
    });
    await migrate(serverUrl(databaseUrl, TEMPLATE_DB));
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'palaver-test-template-'));
  const embedded = await startEmbeddedPostgres({ dataDir: dir });
  try {
    await migrate(embedded.url);
  } finally {
    await embedded.stop();
  }
  // Workers are started after the global setup and inherit this.
  process.env.PALAVER_TEST_EMBEDDED_TEMPLATE = dir;
}
