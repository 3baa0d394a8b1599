import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type { DataSource, EntityManager } from 'typeorm';
import { directRoomName } from '../chat/room-names.js';
import { detectImageType } from '../profiles/media/image-type.js';
import { normaliseImage } from '../profiles/media/normalise-image.js';
import { MEDIA_URL_PREFIX, USER_IMAGES } from '../profiles/media/media.service.js';
import { usernameKey } from '../users/username-rules.js';
import type { Layout } from './layouts.js';
import type { DjangoSource } from './source.js';
import { flag, keepsBigint, keepsInt, sourceKey, text, timestamp, type SourceKey } from './values.js';

export interface TableReport {
  read: number;
  imported: number;
  /** Rows imported by an earlier run whose source copy changed (a new password, email, bio). */
  updated: number;
  unchanged: number;
  skipped: number;
  /** Why rows were skipped (or imported with a change), with a count and a few examples each. */
  notes: Record<string, { count: number; examples: string[] }>;
}

export interface ImportReport {
  source: string;
  layout: string;
  startedAt: string;
  finishedAt: string;
  tables: Record<string, TableReport>;
}

export interface ImportOptions {
  source: DjangoSource;
  /** Palaver's database, migrated. */
  target: DataSource;
  layout: Layout;
  /** The original's MEDIA_ROOT, to copy profile pictures from. */
  mediaFrom?: string;
  /** Palaver's MEDIA_DIR. */
  mediaDir: string;
  /** MEDIA_MAX_PIXELS: a copied picture is decoded and encoded again, as an upload is. */
  mediaMaxPixels?: number;
  batchSize?: number;
  progress?: (table: string, done: number, total: number) => void;
}

/** Palaver already holds rows the source would overwrite or contradict: nothing of that batch was written. */
export class ConflictError extends Error {
  constructor(readonly conflicts: string[]) {
    super(`Palaver's database holds data that conflicts with the source (${conflicts.length} row(s)); nothing conflicting was written:\n  ${conflicts.slice(0, 20).join('\n  ')}`);
  }
}

type Row = Record<string, unknown>;
type Kind = 'user' | 'conversation' | 'post' | 'message';

const NOTE_EXAMPLES = 5;

function emptyReport(): TableReport {
  return { read: 0, imported: 0, updated: 0, unchanged: 0, skipped: 0, notes: {} };
}

function note(report: TableReport, reason: string, example: string, skipped = true): void {
  const entry = (report.notes[reason] ??= { count: 0, examples: [] });
  entry.count++;
  if (entry.examples.length < NOTE_EXAMPLES) entry.examples.push(example);
  if (skipped) report.skipped++;
}

const md5 = (value: string) => createHash('md5').update(value).digest('hex');

/**
 * Reads one Django deployment and writes what it holds into Palaver's tables, keeping primary keys
 * where Palaver's columns can hold them. Every step is idempotent: a row already imported is
 * recognised (same id and same identifying values) and left alone or refreshed, a row that
 * contradicts one already in Palaver stops the run (ConflictError), and each batch commits on its
 * own, so an interrupted run is resumed by running it again. docs/switching.md has the rules.
 */
export class DjangoImporter {
  private readonly batchSize: number;
  private readonly report: ImportReport;
  /** Source key → Palaver id, for users and conversations (needed by every later step). */
  private readonly users = new Map<SourceKey, number>();
  private readonly conversations = new Map<SourceKey, number>();
  /** Profile id → user's Palaver id (friendships of seed 003 pair profiles). */
  private readonly profileUsers = new Map<SourceKey, number>();
  /** When the previous finished run ended: profiles edited in Palaver since are not overwritten. */
  private previousFinish: string | null = null;
  private runId = 0;

  constructor(private readonly options: ImportOptions) {
    this.batchSize = options.batchSize ?? 2000;
    this.report = { source: options.source.description, layout: options.layout.name, startedAt: '', finishedAt: '', tables: {} };
  }

  async run(): Promise<ImportReport> {
    const { target, layout, source } = this.options;
    await this.checkTables();
    const previous: Array<{ finished_at: Date | null }> = await target.query(`SELECT max(finished_at) AS finished_at FROM django_imports WHERE finished_at IS NOT NULL`);
    this.previousFinish = previous[0]?.finished_at ? previous[0].finished_at.toISOString() : null;
    // Checked in full before anything is written: the clash of a Palaver already in use with the source.
    await this.importUsers(false);
    const [run]: Array<{ id: number; started_at: Date }> = await target.query(
      `INSERT INTO django_imports (source, layout, token_profile, started_at) VALUES ($1, $2, $3, now()) RETURNING id, started_at`,
      [source.description, layout.name, layout.tokenProfile],
    );
    this.runId = run.id;
    this.report.startedAt = run.started_at.toISOString();
    await this.importUsers(true);
    if (layout.profiles) await this.importProfiles();
    if (layout.friendships) await this.importFriendships();
    if (layout.posts) await this.importPosts();
    await this.importConversations();
    await this.importMessages();
    await this.importSpentTokens();
    await this.moveSequences();
    await target.query(`UPDATE django_imports SET finished_at = now(), counts = $2 WHERE id = $1`, [this.runId, JSON.stringify(this.report.tables)]);
    const [done]: Array<{ finished_at: Date }> = await target.query(`SELECT finished_at FROM django_imports WHERE id = $1`, [this.runId]);
    this.report.finishedAt = done.finished_at.toISOString();
    return this.report;
  }

  private table(name: string): TableReport {
    return (this.report.tables[name] ??= emptyReport());
  }

  /** Every table and column the layout names must exist before anything is read. */
  private async checkTables(): Promise<void> {
    const { layout, source } = this.options;
    const missing: string[] = [];
    for (const section of [layout.users, layout.profiles, layout.friendships, layout.posts, layout.conversations, layout.members, layout.messages]) {
      if (!section) continue;
      if (!(await source.hasTable(section.table))) {
        missing.push(`table ${section.table}`);
        continue;
      }
      for (const column of Object.values(section.columns)) if (!(await source.hasColumn(section.table, column))) missing.push(`column ${section.table}.${column}`);
    }
    if (missing.length) throw new Error(`the source does not have the "${layout.name}" layout: missing ${missing.join(', ')} (choose --layout or pass a --mapping file)`);
    // Optional columns the source lacks are simply not read.
    for (const section of [layout.users, layout.conversations]) {
      for (const [field, column] of Object.entries(section.optional ?? {})) {
        if (!(await source.hasColumn(section.table, column as string))) delete (section.optional as Record<string, string>)[field];
      }
    }
  }

  /**
   * A table read in key order, `batchSize` rows at a time (keyset: no OFFSET over a large table).
   * With a `group` field the order is (group, key): messages come room by room, so that a batch
   * touches few conversations (Django's index on the foreign key also orders by the primary key in
   * MySQL and SQLite; PostgreSQL adds an incremental sort).
   */
  private async *batches(table: string, columns: Record<string, string>, keyField: string, groupField?: string): AsyncGenerator<Row[]> {
    const { source } = this.options;
    const select = Object.entries(columns)
      .map(([field, column]) => `${source.quote(column)} AS ${source.quote(field)}`)
      .join(', ');
    const key = source.quote(columns[keyField]);
    const group = groupField ? source.quote(columns[groupField]) : null;
    let last: Row | undefined = undefined;
    for (;;) {
      let where = '';
      let parameters: unknown[] = [];
      if (last && group) {
        // A range on the group's index (`>=`), then the rest: an OR at the top would scan the table.
        where = `WHERE ${group} >= ${source.param(1)} AND (${group} > ${source.param(2)} OR ${key} > ${source.param(3)})`;
        parameters = [last[groupField!], last[groupField!], last[keyField]];
      } else if (last) {
        where = `WHERE ${key} > ${source.param(1)}`;
        parameters = [last[keyField]];
      }
      const order = group ? `${group}, ${key}` : key;
      const rows = await source.query(`SELECT ${select} FROM ${source.quote(table)} ${where} ORDER BY ${order} LIMIT ${this.batchSize}`, parameters);
      if (!rows.length) return;
      yield rows;
      if (rows.length < this.batchSize) return;
      last = rows[rows.length - 1];
    }
  }

  private async count(table: string): Promise<number> {
    const rows = await this.options.source.query<{ n: unknown }>(`SELECT COUNT(*) AS n FROM ${this.options.source.quote(table)}`);
    return Number(rows[0]?.n ?? 0);
  }

  /**
   * Palaver ids for source keys: the key itself when the column can hold it, else the id an
   * earlier run gave it (`django_import_keys`), else (with `allocate`) a new one from the table's
   * sequence, recorded in the same transaction as the row.
   */
  private async palaverIds(kind: Kind, keys: SourceKey[], allocate: boolean, manager: EntityManager): Promise<Map<SourceKey, number>> {
    const keeps = kind === 'message' ? keepsBigint : keepsInt;
    const ids = new Map<SourceKey, number>();
    const mapped: string[] = [];
    for (const key of keys) {
      if (keeps(key)) ids.set(key, key);
      else mapped.push(String(key));
    }
    if (!mapped.length) return ids;
    const known: Array<{ source_key: string; palaver_id: string }> = await manager.query(`SELECT source_key, palaver_id FROM django_import_keys WHERE kind = $1 AND source_key = ANY($2::text[])`, [
      kind,
      mapped,
    ]);
    const byText = new Map(known.map((row) => [row.source_key, Number(row.palaver_id)]));
    const table = { user: 'users', conversation: 'conversations', post: 'posts', message: 'messages' }[kind];
    const fresh: Array<[string, number]> = [];
    for (const key of keys) {
      if (keeps(key)) continue;
      let id = byText.get(String(key));
      if (id === undefined && allocate) {
        const [row]: Array<{ id: string }> = await manager.query(`SELECT nextval(pg_get_serial_sequence($1, 'id')) AS id`, [table]);
        id = Number(row.id);
        fresh.push([String(key), id]);
        byText.set(String(key), id);
      }
      if (id !== undefined) ids.set(key, id);
    }
    if (fresh.length) {
      await manager.query(`INSERT INTO django_import_keys (kind, source_key, palaver_id) SELECT $1, * FROM unnest($2::text[], $3::bigint[])`, [
        kind,
        fresh.map(([key]) => key),
        fresh.map(([, id]) => id),
      ]);
    }
    return ids;
  }

  // ─── users (and, for the seed-000 layout, their bio and picture) ───

  private async importUsers(write: boolean): Promise<void> {
    const { layout, target } = this.options;
    const columns = { ...layout.users.columns, ...(layout.users.optional ?? {}) };
    const total = write ? await this.count(layout.users.table) : 0;
    const report = write ? this.table('users') : emptyReport();
    /** Folded username → Palaver id of the source user who has it (the lowest id keeps it). */
    const names = new Map<string, number>();
    const emails = new Map<string, number>();
    const conflicts: string[] = [];
    for await (const rows of this.batches(layout.users.table, columns, 'id')) {
      const work = async (manager: EntityManager) => {
        const parsed = rows.map((row) => ({ row, key: sourceKey(row.id) }));
        const keys = parsed.flatMap((p) => (p.key === null ? [] : [p.key]));
        const ids = await this.palaverIds('user', keys, write, manager);
        const folded = parsed.map((p) => usernameKey(String(p.row.username ?? '')));
        const existing: Array<{ id: number; username: string; username_key: string | null; email: string; password_hash: string; is_active: boolean; created_at: Date; deleted_at: Date | null }> = await manager.query(
          `SELECT id, username, username_key, email, password_hash, is_active, created_at, deleted_at FROM users WHERE id = ANY($1::int[]) OR username_key = ANY($2::text[]) OR lower(username) = ANY($3::text[])`,
          [[...ids.values()], folded, parsed.map((p) => String(p.row.username ?? '').toLowerCase())],
        );
        const emailRows: Array<{ id: number; email: string }> = await manager.query(`SELECT id, lower(email) AS email FROM users WHERE lower(email) = ANY($1::text[]) AND email <> ''`, [
          parsed.map((p) => String(p.row.email ?? '').trim().toLowerCase()),
        ]);
        const emailOwner = new Map(emailRows.map((row) => [row.email, row.id]));
        const inserts: Array<{ id: number; username: string; key: string; email: string; hash: string; joined: string | null; active: boolean; bio: string | null; picture: string | null }> = [];
        const updates: Array<{ id: number; email: string; hash: string; active: boolean }> = [];
        const profiles: Array<{ id: number; bio: string | null; picture: string | null }> = [];
        /** The users whose rows later steps may refer to: imported, updated or unchanged (not skipped). */
        const accepted: Array<[SourceKey, number]> = [];
        parsed.forEach(({ row, key }, index) => {
          report.read++;
          const label = `${String(row.id)} (${String(row.username)})`;
          const id = key === null ? undefined : ids.get(key);
          if (key === null) return note(report, 'the key is neither an integer nor a UUID', label);
          const username = String(row.username ?? '');
          if (!username || username.length > 150) return note(report, 'the username is empty or longer than 150 characters', label);
          const hash = String(row.password ?? '');
          if (hash.length > 255) return note(report, 'the password hash is longer than 255 characters', label);
          const nameKey = folded[index];
          const byId = id === undefined ? undefined : existing.find((e) => e.id === id);
          if (byId?.deleted_at) return note(report, 'the account was deleted in Palaver since an earlier run: not restored', label);
          const byName = existing.find((e) => e.username_key === nameKey || e.username.toLowerCase() === username.toLowerCase());
          const holder = names.get(nameKey);
          if (holder !== undefined && holder !== id) {
            return note(report, 'the username differs only in case (or Unicode folding) from an earlier user’s: Palaver usernames are one name regardless of case; rename one in the source and run again', `${label}, like user ${holder}`);
          }
          // The same account: same id, same name, and the join date an import copied (a coincidence otherwise).
          const joined = timestamp(row.dateJoined);
          const sameJoin = joined !== null && byId !== undefined && Math.abs(byId.created_at.getTime() - new Date(joined).getTime()) < 1;
          if (byId && ((byId.username_key !== nameKey && byId.username.toLowerCase() !== username.toLowerCase()) || !sameJoin)) {
            conflicts.push(`users: Palaver's user ${byId.id} is "${byId.username}" (joined ${byId.created_at.toISOString()}), the source's user ${String(row.id)} is "${username}" (joined ${joined ?? '?'})`);
            return;
          }
          if (!byId && byName) {
            conflicts.push(`users: Palaver's user ${byName.id} "${byName.username}" has the name of the source's user ${String(row.id)}`);
            return;
          }
          names.set(nameKey, id ?? -1);
          if (!write || id === undefined) return;
          accepted.push([key, id]);
          let email = String(row.email ?? '').trim();
          const lowered = email.toLowerCase();
          const owner = emailOwner.get(lowered) ?? emails.get(lowered);
          if (email && owner !== undefined && owner !== id) {
            note(report, 'imported without its email, which another user already has (Palaver emails are unique)', `${label}: ${email}`, false);
            email = '';
          }
          if (email) emails.set(lowered, id);
          const active = flag(row.isActive);
          const bio = row.bio === undefined || row.bio === null ? null : text(row.bio).value;
          const picture = typeof row.picture === 'string' && row.picture ? row.picture : null;
          if (byId) {
            // Refreshed only while the user has not logged in to Palaver (the hash is still Django's).
            const changed = byId.password_hash !== hash || byId.email !== email || byId.is_active !== active;
            if (changed && !byId.password_hash.startsWith('$argon2id$')) {
              updates.push({ id, email, hash, active });
              report.updated++;
            } else report.unchanged++;
          } else {
            inserts.push({ id, username, key: nameKey, email, hash, joined: timestamp(row.dateJoined), active, bio, picture });
            report.imported++;
          }
          if ('bio' in columns || 'picture' in columns) profiles.push({ id, bio, picture });
        });
        if (!write) return;
        if (inserts.length) {
          await manager.query(
            `INSERT INTO users (id, username, username_key, email, password_hash, created_at, updated_at, is_active) OVERRIDING SYSTEM VALUE
             SELECT u.id, u.username, u.key, u.email, u.hash, coalesce(u.joined, now()), coalesce(u.joined, now()), u.active
             FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::boolean[]) AS u(id, username, key, email, hash, joined, active)`,
            [inserts.map((u) => u.id), inserts.map((u) => u.username), inserts.map((u) => u.key), inserts.map((u) => u.email), inserts.map((u) => u.hash), inserts.map((u) => u.joined), inserts.map((u) => u.active)],
          );
          await manager.query(`INSERT INTO profiles (user_id) SELECT unnest($1::int[]) ON CONFLICT (user_id) DO NOTHING`, [inserts.map((u) => u.id)]);
        }
        if (updates.length) {
          await manager.query(
            `UPDATE users SET email = u.email, password_hash = u.hash, is_active = u.active, updated_at = now()
             FROM unnest($1::int[], $2::text[], $3::text[], $4::boolean[]) AS u(id, email, hash, active) WHERE users.id = u.id`,
            [updates.map((u) => u.id), updates.map((u) => u.email), updates.map((u) => u.hash), updates.map((u) => u.active)],
          );
        }
        await this.saveProfiles(manager, profiles, this.table('profiles'));
        for (const [key, id] of accepted) this.users.set(key, id);
      };
      if (write) await target.transaction(work);
      else await work(target.manager);
      if (conflicts.length) throw new ConflictError(conflicts);
      if (write) this.options.progress?.('users', report.read, total);
    }
  }

  /**
   * Profiles' bio and picture, a batch in one statement. The copy in Palaver is refreshed only when
   * it has not been edited there since the previous run; a picture is copied (once) from `--media`.
   */
  private async saveProfiles(manager: EntityManager, profiles: Array<{ id: number; bio: string | null; picture: string | null }>, report: TableReport): Promise<void> {
    if (!profiles.length) return;
    const current: Array<{ user_id: number }> = await manager.query(`SELECT user_id FROM profiles WHERE user_id = ANY($1::int[]) AND image IS NOT NULL`, [profiles.map((p) => p.id)]);
    const pictured = new Set(current.map((row) => row.user_id));
    const images: Array<string | null> = [];
    for (const profile of profiles) {
      const wanted = profile.picture && profile.picture !== 'default.jpg' && !pictured.has(profile.id);
      images.push(wanted ? await this.copyPicture(profile.id, profile.picture!, report) : null);
    }
    await manager.query(
      `INSERT INTO profiles (user_id, bio, image, updated_at) SELECT p.id, p.bio, p.image, now() FROM unnest($1::int[], $2::text[], $3::text[]) AS p(id, bio, image)
       ON CONFLICT (user_id) DO UPDATE SET bio = EXCLUDED.bio, image = coalesce(profiles.image, EXCLUDED.image), updated_at = now()
       WHERE $4::timestamptz IS NULL OR profiles.updated_at <= $4::timestamptz OR (profiles.bio IS NULL AND profiles.image IS NULL)`,
      [profiles.map((p) => p.id), profiles.map((p) => p.bio), images, this.previousFinish],
    );
  }

  /** Copies `<media>/<path>` to Palaver's pictures under a fresh name; only real images, only from inside the media folder. */
  private async copyPicture(userId: number, path: string, report: TableReport): Promise<string | null> {
    const { mediaFrom, mediaDir } = this.options;
    if (!mediaFrom) {
      note(report, 'picture not copied: no --media folder given (a later run with --media copies it)', `user ${userId}: ${path}`, false);
      return null;
    }
    const root = resolve(mediaFrom);
    const file = resolve(root, path);
    const inside = relative(root, file);
    if (!inside || inside.startsWith('..') || resolve(root, inside) !== file) {
      note(report, 'picture not copied: its path leads outside the media folder', `user ${userId}: ${path}`, false);
      return null;
    }
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch {
      note(report, 'picture not copied: the file is missing from the media folder', `user ${userId}: ${path}`, false);
      return null;
    }
    const type = detectImageType(bytes);
    if (!type) {
      note(report, 'picture not copied: not a JPEG, PNG, GIF or WebP image', `user ${userId}: ${path}`, false);
      return null;
    }
    // Re-encoded like an upload: metadata (EXIF GPS) left behind, anything that does not decode refused.
    let clean: Buffer;
    try {
      clean = await normaliseImage(bytes, type, this.options.mediaMaxPixels ?? 40_000_000);
    } catch {
      note(report, 'picture not copied: it does not decode as an image, or has too many pixels', `user ${userId}: ${path}`, false);
      return null;
    }
    await mkdir(join(mediaDir, USER_IMAGES), { recursive: true });
    const name = `${userId}-${randomUUID()}.${type.extension}`;
    await writeFile(join(mediaDir, USER_IMAGES, name), clean, { mode: 0o644, flag: 'wx' });
    return `${MEDIA_URL_PREFIX}${USER_IMAGES}/${name}`;
  }

  // ─── seed 003: profiles, friendships, posts ───

  private async importProfiles(): Promise<void> {
    const { layout, target } = this.options;
    const section = layout.profiles!;
    const report = this.table('profiles');
    const total = await this.count(section.table);
    let done = 0;
    for await (const rows of this.batches(section.table, section.columns, 'id')) {
      await target.transaction(async (manager) => {
        const profiles: Array<{ id: number; bio: string | null; picture: string | null }> = [];
        for (const row of rows) {
          done++;
          report.read++;
          const userId = this.users.get(sourceKey(row.user) ?? '');
          const key = sourceKey(row.id);
          if (userId === undefined || key === null) {
            note(report, 'its user was not imported', `profile ${String(row.id)}`);
            continue;
          }
          this.profileUsers.set(key, userId);
          profiles.push({ id: userId, bio: row.bio === null || row.bio === undefined ? null : text(row.bio).value, picture: typeof row.image === 'string' ? row.image : null });
          report.imported++;
        }
        await this.saveProfiles(manager, profiles, report);
      });
      this.options.progress?.('profiles', done, total);
    }
  }

  private async importFriendships(): Promise<void> {
    const { layout, target, source } = this.options;
    const section = layout.friendships!;
    const report = this.table('friendships');
    const pairs: Array<[number, number]> = [];
    const rows = await source.query(`SELECT ${source.quote(section.columns.from)} AS f, ${source.quote(section.columns.to)} AS t FROM ${source.quote(section.table)}`);
    const owners = section.refersTo === 'profiles' ? this.profileUsers : this.users;
    for (const row of rows) {
      report.read++;
      const from = owners.get(sourceKey(row.f) ?? '');
      const to = owners.get(sourceKey(row.t) ?? '');
      if (from === undefined || to === undefined) note(report, 'one of the two was not imported', `${String(row.f)} → ${String(row.t)}`);
      else if (from === to) note(report, 'a friendship with oneself', String(from));
      else pairs.push([from, to]);
    }
    for (let i = 0; i < pairs.length; i += this.batchSize) {
      const slice = pairs.slice(i, i + this.batchSize);
      // Friendships go both ways in Palaver, as Django's symmetrical many-to-many stores them.
      const inserted: Array<{ user_id: number }> = await target.query(
        `INSERT INTO friendships (user_id, friend_id) SELECT * FROM unnest($1::int[], $2::int[]) UNION SELECT * FROM unnest($2::int[], $1::int[])
         ON CONFLICT DO NOTHING RETURNING user_id`,
        [slice.map((p) => p[0]), slice.map((p) => p[1])],
      );
      report.imported += inserted.length;
    }
    report.unchanged = Math.max(0, report.read - report.skipped - report.imported);
  }

  private async importPosts(): Promise<void> {
    const { layout, target } = this.options;
    const section = layout.posts!;
    const report = this.table('posts');
    const total = await this.count(section.table);
    const conflicts: string[] = [];
    for await (const rows of this.batches(section.table, section.columns, 'id')) {
      await target.transaction(async (manager) => {
        const keyed = rows.map((row) => ({ row, key: sourceKey(row.id), author: this.users.get(sourceKey(row.user) ?? '') }));
        const ids = await this.palaverIds('post', keyed.flatMap((k) => (k.key === null || k.author === undefined ? [] : [k.key])), true, manager);
        const existing: Array<{ id: number; author_id: number; title: string }> = await manager.query(`SELECT id, author_id, title FROM posts WHERE id = ANY($1::int[])`, [[...ids.values()]]);
        const fresh: Array<{ id: number; author: number; title: string; content: string; at: string | null }> = [];
        for (const { row, key, author } of keyed) {
          report.read++;
          if (key === null) note(report, 'the key is neither an integer nor a UUID', String(row.id));
          else if (author === undefined) note(report, 'its author was not imported', `post ${String(row.id)}`);
          else {
            const id = ids.get(key)!;
            const title = text(row.title).value.slice(0, 255);
            const found = existing.find((e) => e.id === id);
            if (found && (found.author_id !== author || found.title !== title)) conflicts.push(`posts: Palaver's post ${id} is not the source's post ${String(row.id)} ("${title}")`);
            else if (found) report.unchanged++;
            else {
              fresh.push({ id, author, title, content: text(row.content).value, at: timestamp(row.createdAt) });
              report.imported++;
            }
          }
        }
        if (conflicts.length) throw new ConflictError(conflicts);
        if (fresh.length) {
          await manager.query(
            `INSERT INTO posts (id, author_id, title, content, created_at, updated_at) OVERRIDING SYSTEM VALUE
             SELECT p.id, p.author, p.title, p.content, coalesce(p.at, now()), coalesce(p.at, now()) FROM unnest($1::int[], $2::int[], $3::text[], $4::text[], $5::timestamptz[]) AS p(id, author, title, content, at)`,
            [fresh.map((p) => p.id), fresh.map((p) => p.author), fresh.map((p) => p.title), fresh.map((p) => p.content), fresh.map((p) => p.at)],
          );
        }
      });
      this.options.progress?.('posts', report.read, total);
    }
  }

  // ─── conversations (chat rooms) with their members ───

  private async importConversations(): Promise<void> {
    const { layout, target, source } = this.options;
    const section = layout.conversations;
    const report = this.table('conversations');
    const memberReport = this.table('members');
    const total = await this.count(section.table);
    const conflicts: string[] = [];
    const columns = { ...section.columns, ...(section.optional ?? {}) };
    for await (const rows of this.batches(section.table, columns, 'id')) {
      const marks = rows.map((_, i) => source.param(i + 1)).join(', ');
      const rawKeys = rows.map((row) => row.id);
      const memberRows = await source.query(
        `SELECT ${source.quote(layout.members.columns.conversation)} AS c, ${source.quote(layout.members.columns.user)} AS u FROM ${source.quote(layout.members.table)} WHERE ${source.quote(layout.members.columns.conversation)} IN (${marks})`,
        rawKeys,
      );
      // Without a creation time (seed 003), a room was created no later than its first message.
      const firstMessages = columns.createdAt
        ? []
        : await source.query(
            `SELECT ${source.quote(layout.messages.columns.conversation)} AS c, MIN(${source.quote(layout.messages.columns.timestamp)}) AS t FROM ${source.quote(layout.messages.table)} WHERE ${source.quote(layout.messages.columns.conversation)} IN (${marks}) GROUP BY ${source.quote(layout.messages.columns.conversation)}`,
            rawKeys,
          );
      const membersOf = new Map<SourceKey, Set<number>>();
      for (const member of memberRows) {
        memberReport.read++;
        const room = sourceKey(member.c);
        const user = this.users.get(sourceKey(member.u) ?? '');
        if (room === null) continue;
        if (user === undefined) {
          note(memberReport, 'the user was not imported', `room ${String(member.c)}, user ${String(member.u)}`);
          continue;
        }
        if (!membersOf.has(room)) membersOf.set(room, new Set());
        membersOf.get(room)!.add(user);
      }
      const firstAt = new Map(firstMessages.map((row) => [sourceKey(row.c), timestamp(row.t)]));
      await target.transaction(async (manager) => {
        const keyed = rows.map((row) => ({ row, key: sourceKey(row.id) }));
        const ids = await this.palaverIds('conversation', keyed.flatMap((k) => (k.key === null ? [] : [k.key])), true, manager);
        const existing: Array<{ id: number; name: string; created_at: Date; kind: string; direct_user_low: number | null; direct_user_high: number | null }> = await manager.query(
          `SELECT id, name, created_at, kind, direct_user_low, direct_user_high FROM conversations WHERE id = ANY($1::int[])`,
          [[...ids.values()]],
        );
        const everyone = [...new Set([...membersOf.values()].flatMap((set) => [...set]))];
        const usernames = new Map<number, string>(
          (await manager.query(`SELECT id, username FROM users WHERE id = ANY($1::int[])`, [everyone]) as Array<{ id: number; username: string }>).map((u) => [u.id, u.username]),
        );
        const members: Array<[number, number, string | null]> = [];
        for (const { row, key } of keyed) {
          report.read++;
          if (key === null) {
            note(report, 'the key is neither an integer nor a UUID', String(row.id));
            continue;
          }
          const id = ids.get(key)!;
          let people = [...(membersOf.get(key) ?? [])];
          const createdAt = timestamp(row.createdAt) ?? firstAt.get(key) ?? null;
          const found = existing.find((e) => e.id === id);
          const sourceName = typeof row.name === 'string' && row.name ? row.name : null;
          if (found) {
            const same = sourceName !== null ? found.name === sourceName : createdAt === null || Math.abs(found.created_at.getTime() - new Date(createdAt).getTime()) < 1;
            if (!same) {
              conflicts.push(`conversations: Palaver's conversation ${id} ("${found.name}") is not the source's ${String(row.id)}${sourceName ? ` ("${sourceName}")` : ''}`);
              continue;
            }
            report.unchanged++;
            if (found.kind === 'direct') {
              // A direct conversation stays between its two people; someone the source added later is left out.
              const pair = [found.direct_user_low, found.direct_user_high];
              for (const user of people.filter((p) => !pair.includes(p))) {
                note(memberReport, 'not added: the room was imported as a direct conversation, which stays between its two people', `room ${String(row.id)}, user ${user}`);
              }
              people = people.filter((p) => pair.includes(p));
            }
          } else {
            const created = await this.createConversation(manager, id, key, sourceName, people, usernames, createdAt, report);
            if (!created.ok) {
              conflicts.push(created.conflict);
              continue;
            }
            report.imported++;
          }
          this.conversations.set(key, id);
          for (const user of people) members.push([id, user, createdAt]);
        }
        if (conflicts.length) throw new ConflictError(conflicts);
        if (members.length) {
          const inserted: Array<{ user_id: number }> = await manager.query(
            `INSERT INTO conversation_members (conversation_id, user_id, joined_at, role)
             SELECT m.c, m.u, coalesce(m.at, now()), 'member' FROM unnest($1::int[], $2::int[], $3::timestamptz[]) AS m(c, u, at)
             ON CONFLICT DO NOTHING RETURNING user_id`,
            [members.map((m) => m[0]), members.map((m) => m[1]), members.map((m) => m[2])],
          );
          memberReport.imported += inserted.length;
          memberReport.unchanged += members.length - inserted.length;
        }
      });
      this.options.progress?.('conversations', report.read, total);
    }
  }

  /**
   * A room of exactly two people becomes a direct conversation (unless the pair has one already),
   * any other a group. Seed-003 rooms keep their names (clients build and cache them); the seed-000
   * conversations, which have none, get Palaver's: the direct name of the pair, or a group name
   * derived from the source key (so that every run derives the same).
   */
  private async createConversation(
    manager: EntityManager,
    id: number,
    key: SourceKey,
    sourceName: string | null,
    people: number[],
    usernames: Map<number, string>,
    createdAt: string | null,
    report: TableReport,
  ): Promise<{ ok: true } | { ok: false; conflict: string }> {
    let kind: 'direct' | 'group' = 'group';
    let pair: [number, number] | null = null;
    let canonical: string | null = null;
    if (people.length === 2 && usernames.has(people[0]) && usernames.has(people[1])) {
      const [low, high] = [...people].sort((a, b) => a - b);
      const taken: unknown[] = await manager.query(`SELECT 1 FROM conversations WHERE kind = 'direct' AND direct_user_low = $1 AND direct_user_high = $2`, [low, high]);
      canonical = directRoomName(usernames.get(low)!, usernames.get(high)!);
      if (taken.length) note(report, 'imported as a group: the two people already have a direct conversation', `${String(key)}`, false);
      else {
        kind = 'direct';
        pair = [low, high];
      }
    }
    const name = (sourceName ?? (kind === 'direct' ? canonical : null) ?? `g-import-${String(key)}`).slice(0, 320);
    const clash: Array<{ id: number }> = await manager.query(`SELECT id FROM conversations WHERE name = $1 UNION SELECT conversation_id FROM conversation_name_aliases WHERE name = $1`, [name]);
    if (clash.length) return { ok: false, conflict: `conversations: the name "${name}" of the source's ${String(key)} is taken by Palaver's conversation ${clash[0].id}` };
    await manager.query(
      `INSERT INTO conversations (id, kind, name, direct_user_low, direct_user_high, created_at, last_activity_at) OVERRIDING SYSTEM VALUE
       VALUES ($1, $2, $3, $4, $5, coalesce($6::timestamptz, now()), coalesce($6::timestamptz, now()))`,
      [id, kind, name, pair?.[0] ?? null, pair?.[1] ?? null, createdAt],
    );
    // The name Palaver's clients compute for the pair, when the original's differs (usernames with `_`).
    if (kind === 'direct' && canonical && canonical !== name) {
      await manager.query(
        `INSERT INTO conversation_name_aliases (name, conversation_id) SELECT $1::varchar, $2::int WHERE NOT EXISTS (SELECT 1 FROM conversations WHERE name = $1::varchar) ON CONFLICT DO NOTHING`,
        [canonical, id],
      );
    }
    return { ok: true };
  }

  // ─── messages, room by room in key order ───

  private async importMessages(): Promise<void> {
    const { layout, target } = this.options;
    const section = layout.messages;
    const report = this.table('messages');
    const total = await this.count(section.table);
    const touched = new Set<number>();
    for await (const rows of this.batches(section.table, section.columns, 'id', 'conversation')) {
      await target.transaction(async (manager) => {
        const keyed = rows.map((row) => ({ row, key: sourceKey(row.id), room: this.conversations.get(sourceKey(row.conversation) ?? ''), sender: this.users.get(sourceKey(row.user) ?? '') }));
        const usable = keyed.filter((k) => k.key !== null && k.room !== undefined && k.sender !== undefined);
        const ids = await this.palaverIds('message', usable.map((k) => k.key!), true, manager);
        const existing: Array<{ id: string; conversation_id: number; sender_id: number; digest: string }> = await manager.query(
          `SELECT id, conversation_id, sender_id, md5(text) AS digest FROM messages WHERE id = ANY($1::bigint[])`,
          [[...ids.values()]],
        );
        const byId = new Map(existing.map((e) => [Number(e.id), e]));
        const conflicts: string[] = [];
        const fresh: Array<{ id: number; room: number; sender: number; text: string; at: string | null }> = [];
        for (const { row, key, room, sender } of keyed) {
          report.read++;
          if (key === null) note(report, 'the key is neither an integer nor a UUID', String(row.id));
          else if (room === undefined) note(report, 'its conversation was not imported', `message ${String(row.id)}`);
          else if (sender === undefined) note(report, 'its sender was not imported', `message ${String(row.id)}`);
          else {
            const id = ids.get(key)!;
            const body = text(row.text);
            const found = byId.get(id);
            if (found && (found.conversation_id !== room || found.sender_id !== sender || found.digest !== md5(body.value))) {
              conflicts.push(`messages: Palaver's message ${id} is not the source's message ${String(row.id)}`);
            } else if (found) report.unchanged++;
            else {
              if (body.replaced) note(report, 'imported with NUL characters replaced by U+FFFD (PostgreSQL text cannot hold NUL)', `message ${String(row.id)}`, false);
              fresh.push({ id, room, sender, text: body.value, at: timestamp(row.timestamp) });
            }
          }
        }
        if (conflicts.length) throw new ConflictError(conflicts);
        if (!fresh.length) return;
        // Per-conversation sequence numbers continue from the conversation's count, under its row lock.
        const rooms = [...new Set(fresh.map((m) => m.room))].sort((a, b) => a - b);
        const counts: Array<{ id: number; message_count: string }> = await manager.query(`SELECT id, message_count FROM conversations WHERE id = ANY($1::int[]) ORDER BY id FOR UPDATE`, [rooms]);
        const next = new Map(counts.map((c) => [c.id, Number(c.message_count)]));
        const seqs = fresh.map((m) => {
          const seq = next.get(m.room)! + 1;
          next.set(m.room, seq);
          return seq;
        });
        await manager.query(
          `INSERT INTO messages (id, conversation_id, sender_id, text, created_at, seq) OVERRIDING SYSTEM VALUE
           SELECT m.id, m.room, m.sender, m.text, coalesce(m.at, now()), m.seq FROM unnest($1::bigint[], $2::int[], $3::int[], $4::text[], $5::timestamptz[], $6::bigint[]) AS m(id, room, sender, text, at, seq)`,
          [fresh.map((m) => m.id), fresh.map((m) => m.room), fresh.map((m) => m.sender), fresh.map((m) => m.text), fresh.map((m) => m.at), seqs],
        );
        await manager.query(
          `UPDATE conversations c SET message_count = d.count, last_activity_at = GREATEST(c.last_activity_at, d.latest)
           FROM (SELECT m.room, max(m.seq) AS count, max(coalesce(m.at, now())) AS latest FROM unnest($1::int[], $2::bigint[], $3::timestamptz[]) AS m(room, seq, at) GROUP BY m.room) d
           WHERE c.id = d.room`,
          [fresh.map((m) => m.room), seqs, fresh.map((m) => m.at)],
        );
        report.imported += fresh.length;
        for (const room of rooms) touched.add(room);
      });
      this.options.progress?.('messages', report.read, total);
    }
    await this.markRead([...touched]);
  }

  /**
   * The originals keep no read state: imported history counts as read, so nobody opens Palaver to
   * thousands of unread messages.
   */
  private async markRead(rooms: number[]): Promise<void> {
    for (let i = 0; i < rooms.length; i += 1000) {
      await this.options.target.query(
        `UPDATE conversation_members cm SET last_read_seq = c.message_count,
           last_read_message_id = (SELECT m.id FROM messages m WHERE m.conversation_id = c.id AND m.seq = c.message_count)
         FROM conversations c WHERE c.id = cm.conversation_id AND c.id = ANY($1::int[]) AND cm.last_read_seq < c.message_count`,
        [rooms.slice(i, i + 1000)],
      );
    }
  }

  /** Tokens the original blacklisted (SimpleJWT's token_blacklist app), so that none of them works here either. */
  private async importSpentTokens(): Promise<void> {
    const { source, target } = this.options;
    if (!(await source.hasTable('token_blacklist_blacklistedtoken')) || !(await source.hasTable('token_blacklist_outstandingtoken'))) return;
    const report = this.table('blacklisted_tokens');
    const rows = await source.query(
      `SELECT o.${source.quote('jti')} AS jti, o.${source.quote('expires_at')} AS expires_at FROM ${source.quote('token_blacklist_outstandingtoken')} o JOIN ${source.quote('token_blacklist_blacklistedtoken')} b ON b.${source.quote('token_id')} = o.${source.quote('id')}`,
    );
    report.read = rows.length;
    for (let i = 0; i < rows.length; i += this.batchSize) {
      const slice = rows.slice(i, i + this.batchSize);
      const inserted: unknown[] = await target.query(
        `INSERT INTO legacy_tokens_spent (jti, expires_at) SELECT * FROM unnest($1::text[], $2::timestamptz[]) ON CONFLICT (jti) DO NOTHING RETURNING jti`,
        [slice.map((r) => String(r.jti)), slice.map((r) => timestamp(r.expires_at))],
      );
      report.imported += inserted.length;
    }
    report.unchanged = report.read - report.imported;
  }

  /** Palaver's own ids continue after the largest imported one (never moving a sequence back). */
  private async moveSequences(): Promise<void> {
    for (const table of ['users', 'posts', 'conversations', 'messages']) {
      await this.options.target.query(
        `SELECT setval(pg_get_serial_sequence($1, 'id'), GREATEST((SELECT coalesce(max(id), 0) FROM ${table}), (SELECT last_value FROM ${table}_id_seq), 1))`,
        [table],
      );
    }
  }
}

export function formatReport(report: ImportReport, seconds: number): string {
  const lines = [`Imported ${report.source} (layout ${report.layout}) in ${seconds.toFixed(1)} s`, ''];
  lines.push(`${'table'.padEnd(20)}${'read'.padStart(12)}${'imported'.padStart(12)}${'updated'.padStart(10)}${'unchanged'.padStart(12)}${'skipped'.padStart(10)}`);
  for (const [name, t] of Object.entries(report.tables)) {
    lines.push(`${name.padEnd(20)}${String(t.read).padStart(12)}${String(t.imported).padStart(12)}${String(t.updated).padStart(10)}${String(t.unchanged).padStart(12)}${String(t.skipped).padStart(10)}`);
  }
  for (const [name, t] of Object.entries(report.tables)) {
    for (const [reason, entry] of Object.entries(t.notes)) lines.push('', `${name}: ${entry.count} × ${reason}`, ...entry.examples.map((e) => `    e.g. ${e}`));
  }
  return lines.join('\n');
}
