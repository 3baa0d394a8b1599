import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/**
 * The app's pool size on the embedded database. pglite-socket interleaves extended-protocol
 * messages of concurrent connections (seen as `portal "" cannot be run` under parallel requests),
 * and PGlite executes one query at a time anyway, so one connection loses nothing and is correct.
 */
export const EMBEDDED_POOL_SIZE = 1;

export interface EmbeddedPostgres {
  /** A `postgres://` URL on loopback: the app talks to the embedded database through `pg`, as to any server. */
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts PGlite (PostgreSQL compiled to WebAssembly) in this process and serves it on a loopback
 * port with the PostgreSQL wire protocol, so the app keeps one code path (`pg` + TypeORM) for
 * the embedded database and a real server.
 *
 * PGlite runs one query at a time; `pglite-socket` queues queries from all connections and keeps a
 * connection's transaction exclusive until it ends. So inside a transaction, code must use only the
 * transaction's own entity manager: a query on another pool connection would wait for it.
 */
export async function startEmbeddedPostgres(options: { dataDir: string; maxConnections?: number }): Promise<EmbeddedPostgres> {
  const inMemory = options.dataDir === 'memory';
  const pgDataDir = inMemory ? undefined : `${options.dataDir}/pgdata`;
  if (pgDataDir) mkdirSync(pgDataDir, { recursive: true });
  const db = await PGlite.create(pgDataDir ? { dataDir: pgDataDir } : {});
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: options.maxConnections ?? EMBEDDED_POOL_SIZE + 2 });
  await server.start();
  const conn = server.getServerConn();
  const port = Number(conn.split(':').pop());
  if (!Number.isInteger(port) || port <= 0) {
    await server.stop();
    await db.close();
    throw new Error(`embedded PostgreSQL did not report a port (got "${conn}")`);
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
