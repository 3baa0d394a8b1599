import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { DataSource, type QueryRunner } from 'typeorm';

export type SourceKind = 'postgres' | 'mysql' | 'sqlite';

export class SourceError extends Error {}

/**
 * A Django deployment's database, read through TypeORM's drivers inside one read-only snapshot:
 * PostgreSQL (`REPEATABLE READ READ ONLY`), MySQL/MariaDB (`WITH CONSISTENT SNAPSHOT, READ ONLY`),
 * or an SQLite file (loaded into memory by sql.js, so the file itself is never opened for writing).
 * Every table of one run is read from the same instant, so a message never names a user or room
 * created after the users or rooms were read.
 */
export class DjangoSource {
  private constructor(
    readonly kind: SourceKind,
    /** The URL without its password: what reports and `django_imports.source` show. */
    readonly description: string,
    private readonly dataSource: DataSource,
    private readonly runner: QueryRunner,
  ) {}

  static async open(url: string): Promise<DjangoSource> {
    const { kind, options, description } = describe(url);
    const dataSource = new DataSource(options as unknown as ConstructorParameters<typeof DataSource>[0]);
    try {
      await dataSource.initialize();
    } catch (error) {
      throw new SourceError(`cannot open the source ${description}: ${(error as Error).message}`);
    }
    const runner = dataSource.createQueryRunner();
    await runner.connect();
    if (kind === 'postgres') await runner.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    if (kind === 'mysql') await runner.query('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY');
    return new DjangoSource(kind, description, dataSource, runner);
  }

  /** A table or column name quoted for this database. */
  quote(name: string): string {
    return this.kind === 'mysql' ? `\`${name}\`` : `"${name}"`;
  }

  /** The n-th (1-based) query parameter. */
  param(n: number): string {
    return this.kind === 'postgres' ? `$${n}` : '?';
  }

  async hasTable(table: string): Promise<boolean> {
    return this.runner.hasTable(table);
  }

  async hasColumn(table: string, column: string): Promise<boolean> {
    return this.runner.hasColumn(table, column);
  }

  query<T = Record<string, unknown>>(sql: string, parameters: unknown[] = []): Promise<T[]> {
    return this.runner.query(sql, parameters) as Promise<T[]>;
  }

  async close(): Promise<void> {
    if (this.kind !== 'sqlite') await this.runner.query('ROLLBACK').catch(() => undefined);
    await this.runner.release();
    await this.dataSource.destroy();
  }
}

/** Parses `--from`: `postgres://…`, `mysql://…` / `mariadb://…`, `sqlite:///abs/path`, `sqlite:rel/path`, or a path to a `.sqlite3`/`.db` file. */
export function describe(url: string): { kind: SourceKind; options: Record<string, unknown>; description: string } {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'postgres' || scheme === 'postgresql') {
    return { kind: 'postgres', options: { type: 'postgres', url, poolSize: 1, extra: { application_name: 'palaver-import' } }, description: redact(url) };
  }
  if (scheme === 'mysql' || scheme === 'mariadb') {
    const parsed = new URL(url);
    return {
      kind: 'mysql',
      options: {
        type: 'mysql',
        url: url.replace(/^mariadb:/i, 'mysql:'),
        poolSize: 1,
        // Django stores UTC in DATETIME columns when USE_TZ is on (its default): read them as written.
        timezone: 'Z',
        dateStrings: true,
        supportBigNumbers: true,
        bigNumberStrings: true,
        charset: parsed.searchParams.get('charset') ?? 'utf8mb4',
      },
      description: redact(url),
    };
  }
  let path: string | null = null;
  if (scheme === 'sqlite') path = url.replace(/^sqlite:(\/\/)?/i, '');
  else if (!scheme || /^[a-z]$/i.test(scheme)) path = url; // a bare path (or a Windows drive letter)
  if (path === null) throw new SourceError(`unsupported source "${scheme}:": use postgres://, mysql://, mariadb:// or sqlite:`);
  const file = resolve(path);
  let bytes: Buffer;
  try {
    if (!statSync(file).isFile()) throw new Error('not a file');
    bytes = readFileSync(file);
  } catch (error) {
    throw new SourceError(`cannot read the SQLite file ${file}: ${(error as Error).message}`);
  }
  return { kind: 'sqlite', options: { type: 'sqljs', database: new Uint8Array(bytes), autoSave: false }, description: `sqlite:${file}` };
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@]*@/, '//$1:***@');
  }
}
