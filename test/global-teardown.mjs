import { rmSync } from 'node:fs';
import { withAdminClient } from './global-setup.mjs';

export default async function globalTeardown() {
  const databaseUrl = process.env.DATABASE_URL;
  if (databaseUrl) {
    await withAdminClient(databaseUrl, async (client) => {
      const { rows } = await client.query(`SELECT datname FROM pg_database WHERE datname LIKE 'palaver\\_test\\_%'`);
      for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    });
    
  }
  const dir = process.env.PALAVER_TEST_EMBEDDED_TEMPLATE;
  if (dir) rmSync(dir, { recursive: true, force: true });
}
