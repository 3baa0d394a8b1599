/**
 * `npm run import:django -- --from <database URL> [--layout course-work|messaging-app] [--mapping file.json]
 *  [--media <MEDIA_ROOT>] [--batch-size N] [--json]`
 *
 * Imports a deployment of either original Django system into the Palaver database the environment
 * names (DATABASE_URL, or the embedded database in DATA_DIR: stop Palaver first, the embedded
 * database has one owner). docs/switching.md has the whole procedure.
 */
import { parseArgs } from 'node:util';
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { loadConfig } from '../config/app-config.js';
import { dataSourceOptions } from '../database/data-source-options.js';
import { startEmbeddedPostgres } from '../database/embedded-postgres.js';
import { ConflictError, DjangoImporter, formatReport } from './importer.js';
import { chooseLayout, LAYOUTS, LayoutError } from './layouts.js';
import { DjangoSource, SourceError } from './source.js';

const USAGE = `usage: npm run import:django -- --from <postgres://…|mysql://…|mariadb://…|sqlite:path> [--layout ${Object.keys(LAYOUTS).join('|')}] [--mapping file.json] [--media <dir>] [--batch-size N] [--json]`;

async function main(): Promise<number> {
  // Standard output carries the report only (--json is parsed by scripts); warnings and errors go to standard error.
  Logger.overrideLogger(['error', 'warn']);
  let args;
  try {
    args = parseArgs({
      options: {
        from: { type: 'string' },
        layout: { type: 'string' },
        mapping: { type: 'string' },
        media: { type: 'string' },
        'batch-size': { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    }).values;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (args.help || !args.from) {
    process.stderr.write(`${USAGE}\n`);
    return args.help ? 0 : 2;
  }
  const batchSize = args['batch-size'] === undefined ? 2000 : Number(args['batch-size']);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 50_000) {
    process.stderr.write('--batch-size must be an integer from 1 to 50000\n');
    return 2;
  }
  const config = loadConfig();
  let source: DjangoSource | null = null;
  let target: DataSource | null = null;
  let embedded: { stop(): Promise<void> } | null = null;
  const started = performance.now();
  try {
    source = await DjangoSource.open(args.from);
    const layout = await chooseLayout(source, args.layout, args.mapping);
    let url = config.databaseUrl;
    if (!url) {
      const db = await startEmbeddedPostgres({ dataDir: config.dataDir });
      embedded = db;
      url = db.url;
    }
    target = new DataSource(dataSourceOptions(url, { poolSize: 1, migrationsRun: true }));
    await target.initialize();
    let last = 0;
    /** When each table's first batch was reported: rates are per table. */
    const began = new Map<string, number>();
    const importer = new DjangoImporter({
      source,
      target,
      layout,
      mediaFrom: args.media,
      mediaDir: config.mediaDir,
      mediaMaxPixels: config.mediaMaxPixels,
      batchSize,
      progress: (table, done, total) => {
        const now = performance.now();
        if (!began.has(table)) began.set(table, now);
        if (now - last < 1000 && done < total) return;
        last = now;
        const seconds = (now - began.get(table)!) / 1000;
        const rate = seconds >= 1 ? `, ${Math.round(done / seconds).toLocaleString('en')} rows/s` : '';
        process.stderr.write(`${table}: ${done.toLocaleString('en')} / ${total.toLocaleString('en')} (${total ? Math.floor((done * 100) / total) : 100}%)${rate}\n`);
      },
    });
    const report = await importer.run();
    const seconds = (performance.now() - started) / 1000;
    process.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report, seconds)}\n`);
    return 0;
  } catch (error) {
    if (error instanceof ConflictError) {
      process.stderr.write(`${error.message}\n`);
      return 3;
    }
    if (error instanceof SourceError || error instanceof LayoutError || error instanceof SyntaxError) {
      process.stderr.write(`import:django: ${error.message}\n`);
      return 2;
    }
    process.stderr.write(`import:django failed: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  } finally {
    await source?.close().catch(() => undefined);
    await target?.destroy().catch(() => undefined);
    await embedded?.stop().catch(() => undefined);
  }
}

process.exitCode = await main();
