import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import sharp from 'sharp';
import initSqlJs from 'sql.js';
import { history, schema } from './support/django-sources.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

/** `npm run import:django` as an operator runs it: the built CLI in a process of its own, its exit codes, report and progress. */
describe('the import:django command', () => {
  const dir = mkdtempSync(join(tmpdir(), 'palaver-import-cli-'));
  const media = join(dir, 'django-media');
  const mediaDir = join(dir, 'palaver-media');
  const file = join(dir, 'db.sqlite3');
  let database: TestDatabase;

  function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, ['dist/src/django-import/cli.js', ...args], {
        env: { ...process.env, DATABASE_URL: database.url, MEDIA_DIR: mediaDir, JWT_SECRET: 'a-test-secret-of-at-least-32-characters!!' },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => (stdout += chunk));
      child.stderr.on('data', (chunk) => (stderr += chunk));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    const SQL = await initSqlJs();
    const db = new SQL.Database();
    for (const statement of schema('course-work', 'sqlite')) db.run(statement);
    for (const [sql, params] of history('course-work', 'sqlite').statements) db.run(sql, params as never[]);
    writeFileSync(file, db.export());
    db.close();
    // anna's picture in the original's MEDIA_ROOT, with a GPS position in its EXIF that must not survive.
    mkdirSync(join(media, 'user_images'), { recursive: true });
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#c0ffee' } })
      .png()
      .withMetadata({ exif: { IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '55/1 45/1 0/1' } } })
      .toBuffer();
    writeFileSync(join(media, 'user_images', 'anna.png'), png);
  }, 60_000);
  afterAll(async () => {
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses bad arguments and unreadable sources with exit code 2 and one line', async () => {
    expect((await cli([])).code).toBe(2);
    const missing = await cli(['--from', join(dir, 'nope.sqlite3')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read the SQLite file/);
    const scheme = await cli(['--from', 'oracle://old-db/x']);
    expect(scheme.code).toBe(2);
    expect(scheme.stderr).toMatch(/unsupported source/);
    expect((await cli(['--from', file, '--layout', 'nonsense'])).code).toBe(2);
    expect((await cli(['--from', file, '--layout', 'messaging-app'])).stderr).toMatch(/does not have the "messaging-app" layout: missing table chats_user/);
  }, 60_000);

  it('imports, copying pictures from --media (re-encoded, metadata dropped), and reports counts; a second run changes nothing', async () => {
    const first = await cli(['--from', `sqlite:${file}`, '--media', media, '--json']);
    expect(first.stderr).not.toMatch(/failed/);
    expect(first.code).toBe(0);
    const report = JSON.parse(first.stdout);
    expect(report.layout).toBe('course-work');
    expect(report.tables.users).toMatchObject({ read: 4, imported: 4 });
    expect(report.tables.messages).toMatchObject({ read: 10, imported: 10 });
    expect(first.stderr).toMatch(/messages: 10 \/ 10 \(100%\)/);

    const copied = readdirSync(join(mediaDir, 'user_images')).filter((name) => name.endsWith('.png'));
    expect(copied).toHaveLength(1);
    const metadata = await sharp(join(mediaDir, 'user_images', copied[0])).metadata();
    expect(metadata.exif).toBeUndefined();
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query(`SELECT p.image, p.bio FROM profiles p JOIN users u ON u.id = p.user_id WHERE u.username = 'anna'`);
      expect(rows[0]).toEqual({ image: `/media/user_images/${copied[0]}`, bio: 'bio of anna' });
    } finally {
      await client.end();
    }

    const second = await cli(['--from', file, '--media', media]);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/^messages\s+10\s+0\s+0\s+10\s+0$/m);
    expect(readdirSync(join(mediaDir, 'user_images')).filter((name) => name.endsWith('.png'))).toHaveLength(1);
  }, 60_000);

  it('stops with exit code 3 on data that conflicts with what Palaver holds', async () => {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      await client.query(`UPDATE messages SET text = 'edited in Palaver' WHERE id = (SELECT min(id) FROM messages)`);
    } finally {
      await client.end();
    }
    const run = await cli(['--from', file]);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/conflicts with the source[\s\S]*messages: Palaver's message \d+ is not the source's message/);
  }, 60_000);
});
