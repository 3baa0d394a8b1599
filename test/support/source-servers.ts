import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres.js';
import { serverUrl } from './test-database.js';

/** A database server holding a source deployment for a test: its URL, a way to run SQL on it, and its end. */
export interface SourceServer {
  url: string;
  run(statements: Array<string | [string, unknown[]]>): Promise<void>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function has(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * A PostgreSQL source: a database of its own on the test server (DATABASE_URL), or else an
 * embedded PostgreSQL of its own.
 */
export async function startPostgresSource(): Promise<SourceServer> {
  const admin = process.env.DATABASE_URL;
  let url: string;
  let stop: () => Promise<void>;
  if (admin) {
    const name = `django_source_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    const client = new pg.Client({ connectionString: serverUrl(admin, 'postgres') });
    await client.connect();
    await client.query(`CREATE DATABASE ${name}`);
    await client.end();
    url = serverUrl(admin, name);
    stop = async () => {
      const c = new pg.Client({ connectionString: serverUrl(admin, 'postgres') });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    };
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'palaver-django-pg-'));
    const embedded = await startEmbeddedPostgres({ dataDir: dir });
    url = embedded.url;
    stop = async () => {
      await embedded.stop();
      rmSync(dir, { recursive: true, force: true });
    };
  }
  return {
    url,
    async run(statements) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        for (const statement of statements) {
          if (typeof statement === 'string') await client.query(statement);
          else await client.query(statement[0], statement[1]);
        }
      } finally {
        await client.end();
      }
    },
    stop,
  };
}

/**
 * A MariaDB (MySQL) source: a private server started from the machine's `mariadb-install-db` and
 * `mysqld` in a temporary directory on a free port, or null when they are not installed.
 */
export async function startMariaDbSource(): Promise<SourceServer | null> {
  if (!has('mariadb-install-db') || !has('mysqld')) return null;
  const mysql = (await import('mysql2/promise')).default;
  const dir = mkdtempSync(join(tmpdir(), 'palaver-django-mariadb-'));
  const port = await freePort();
  const user = userInfo().username;
  execFileSync('mariadb-install-db', ['--no-defaults', `--datadir=${join(dir, 'data')}`, '--auth-root-authentication-method=normal', '--skip-test-db', `--user=${user}`], { stdio: 'ignore' });
  const server: ChildProcess = spawn(
    'mysqld',
    ['--no-defaults', `--datadir=${join(dir, 'data')}`, `--socket=${join(dir, 'sock')}`, `--port=${port}`, '--bind-address=127.0.0.1', `--user=${user}`, '--skip-log-bin', '--innodb-buffer-pool-size=32M'],
    { stdio: 'ignore' },
  );
  const stop = async () => {
    server.kill('SIGTERM');
    await new Promise((resolve) => (server.exitCode !== null ? resolve(null) : server.once('exit', resolve)));
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const connection = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root' });
      await connection.query('CREATE DATABASE django CHARACTER SET utf8mb4');
      await connection.end();
      break;
    } catch (error) {
      if (Date.now() > deadline) {
        await stop();
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  const url = `mysql://root@127.0.0.1:${port}/django`;
  return {
    url,
    async run(statements) {
      const connection = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root', database: 'django', timezone: 'Z' });
      try {
        await connection.query(`SET SESSION sql_mode = 'ANSI_QUOTES,STRICT_TRANS_TABLES'`);
        for (const statement of statements) {
          if (typeof statement === 'string') await connection.query(statement);
          else await connection.execute(statement[0], statement[1] as never[]);
        }
      } finally {
        await connection.end();
      }
    },
    stop,
  };
}
