import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import jwt from 'jsonwebtoken';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import initSqlJs from 'sql.js';
import { ConflictError, DjangoImporter, type ImportReport } from '../src/django-import/importer.js';
import { chooseLayout, COURSE_WORK, layoutFromMapping, MESSAGING_APP } from '../src/django-import/layouts.js';
import { DjangoSource } from '../src/django-import/source.js';
import { history, numbered, OLD_PASSWORD, schema, UUID_MAPPING, type Fixture, type SourceLayout } from './support/django-sources.js';
import { startMariaDbSource, startPostgresSource, type SourceServer } from './support/source-servers.js';
import { connectSocket, connected, openRoom, request, waitUntil } from './support/realtime-clients.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const SECRET = 'django-insecure-test-key-of-the-original-!@#$%^&*()';
const dir = mkdtempSync(join(tmpdir(), 'palaver-django-import-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An SQLite file shaped like the original's database (made by sql.js, as Django's sqlite3 backend would lay it out). */
async function sqliteSource(layout: SourceLayout, extra: Array<[string, unknown[]]> = []): Promise<{ file: string; fixture: Fixture }> {
  const SQL = await initSqlJs();
  const db = new SQL.Database();
  for (const statement of schema(layout, 'sqlite')) db.run(statement);
  const { statements, fixture } = history(layout, 'sqlite');
  for (const [sql, params] of [...statements, ...extra]) db.run(sql, params as never[]);
  const file = join(dir, `${layout}-${randomUUID()}.sqlite3`);
  writeFileSync(file, db.export());
  db.close();
  return { file, fixture };
}

async function runImport(t: TestApp, url: string, layout: SourceLayout, mediaFrom?: string): Promise<ImportReport> {
  const source = await DjangoSource.open(url);
  try {
    const chosen = layout === 'messaging-app-uuid' ? layoutFromMapping(UUID_MAPPING) : await chooseLayout(source);
    return await new DjangoImporter({ source, target: t.dataSource, layout: chosen, mediaDir: t.config.mediaDir, mediaFrom, batchSize: 3 }).run();
  } finally {
    await source.close();
  }
}

/** A token as the original's SimpleJWT signs it (claims of SimpleJWT 5.3). */
function djangoToken(type: 'access' | 'refresh', userId: number | string, options: { iat?: number; exp?: number } = {}): string {
  const now = Math.floor(Date.now() / 1000);
  const claims = { token_type: type, exp: options.exp ?? now + 3600, iat: options.iat ?? now - 3600, jti: randomUUID().replace(/-/g, ''), user_id: userId };
  return jwt.sign(claims, SECRET, { algorithm: 'HS256' }); // keeps the given iat
}

/** SimpleJWT puts a UUID user id in its dashed form. */
const claimId = (key: number | string) => (typeof key === 'number' ? key : key.replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5'));

describe.each(['course-work', 'messaging-app', 'messaging-app-uuid'] as const)('import:django from an SQLite %s deployment', (layout) => {
  let t: TestApp;
  let source: { file: string; fixture: Fixture };
  let report: ImportReport;
  const seed003 = layout === 'course-work';

  beforeAll(async () => {
    t = await startTestApp({ DJANGO_SECRET_KEY: SECRET });
    source = await sqliteSource(layout);
    report = await runImport(t, `sqlite:${source.file}`, layout);
  }, 60_000);
  afterAll(async () => {
    await t.close();
  });

  it('reports what it read and wrote per table, with what it skipped and why', () => {
    expect(report.tables.users).toMatchObject({ read: 4, imported: 4, skipped: 0 });
    expect(report.tables.messages).toMatchObject({ read: 10, imported: 10, skipped: 0 });
    expect(report.tables.conversations).toMatchObject({ read: 2, imported: 2 });
    expect(report.tables.members).toMatchObject({ imported: 5 });
    if (seed003) {
      expect(report.tables.posts).toMatchObject({ read: 1, imported: 1 });
      expect(report.tables.friendships).toMatchObject({ read: 2, imported: 2 });
      // No --media: anna's picture is left for a later run, and said so.
      expect(Object.keys(report.tables.profiles.notes)[0]).toMatch(/no --media/);
    }
  });

  it('keeps the accounts: old passwords log in (and become argon2id), inactive and unusable ones do not', async () => {
    const login = seed003 ? '/accounts/api/token/' : '/login/';
    await t.http().post(login).send({ username: 'anna', password: OLD_PASSWORD }).expect(200);
    await t.http().post(login).send({ username: 'boris', password: OLD_PASSWORD }).expect(200);
    await t.http().post(login).send({ username: 'anna', password: 'not it' }).expect(401);
    await t.http().post(login).send({ username: 'vera', password: OLD_PASSWORD }).expect(401); // is_active = false
    await t.http().post(login).send({ username: 'gleb', password: OLD_PASSWORD }).expect(401); // unusable password
    const [anna] = await t.dataSource.query(`SELECT id, password_hash, email, created_at FROM users WHERE username = 'anna'`);
    expect(anna.password_hash).toMatch(/^\$argon2id\$/);
    expect(anna.email).toBe('anna@example.com');
    expect(new Date(anna.created_at).toISOString()).toBe('2024-11-01T10:00:00.000Z');
    if (!seed003 || layout !== 'course-work') return;
    expect(anna.id).toBe(source.fixture.users.anna); // original primary keys kept
  });

  it("accepts the original's tokens issued before the import, and exchanges its refresh token once for Palaver's pair", async () => {
    const anna = claimId(source.fixture.users.anna);
    const list = seed003 ? '/messenger/api/user/chatrooms/' : '/api/conversations/';
    const access = djangoToken('access', anna);
    const rooms = await t.http().get(list).set('Authorization', `Bearer ${access}`).expect(200);
    expect(JSON.stringify(rooms.body)).toContain(seed003 ? 'anna_boris' : '"participants"');

    // Issued after the import began: refused. Forged with another key: refused. Inactive account: refused.
    const late = djangoToken('access', anna, { iat: Math.floor(Date.now() / 1000) + 5 });
    await t.http().get(list).set('Authorization', `Bearer ${late}`).expect(401);
    const forged = jwt.sign({ token_type: 'access', exp: Math.floor(Date.now() / 1000) + 600, iat: 1, jti: 'x', user_id: anna }, 'another key', { algorithm: 'HS256' });
    await t.http().get(list).set('Authorization', `Bearer ${forged}`).expect(401);
    await t.http().get(list).set('Authorization', `Bearer ${djangoToken('access', claimId(source.fixture.users.vera))}`).expect(401);
    await t.http().get(list).set('Authorization', `Bearer ${djangoToken('refresh', anna)}`).expect(401); // wrong type

    const refresh = djangoToken('refresh', anna);
    const path = seed003 ? '/accounts/api/token/refresh/' : '/api/token/refresh/';
    const pair = await t.http().post(path).send({ refresh }).expect(200);
    expect(Object.keys(pair.body).sort()).toEqual(['access', 'refresh']);
    const claims = jwt.decode(pair.body.access) as Record<string, unknown>;
    expect(claims.iss).toBe('palaver');
    await t.http().get(list).set('Authorization', `Bearer ${pair.body.access}`).expect(200);
    const again = await t.http().post(path).send({ refresh }).expect(401);
    expect(again.body).toMatchObject({ code: 'token_not_valid', detail: 'Token is blacklisted' });
    await t.http().post('/api/token/verify/').send({ token: access }).expect(200);
    await t.http().post('/api/token/verify/').send({ token: refresh }).expect(401);
    // An unspent refresh token of the original verifies as a refresh token, not as a wrong-type access token.
    await t.http().post('/api/token/verify/').send({ token: djangoToken('refresh', anna) }).expect(200);
  });

  it('shows the old history in order over REST, with its timestamps', async () => {
    const access = djangoToken('access', claimId(source.fixture.users.anna));
    const expected = source.fixture.messages.filter((m) => m.room === source.fixture.rooms[0].key);
    if (seed003) {
      const response = await t.http().get('/messenger/api/chatrooms/anna_boris/messages/').set('Authorization', `Bearer ${access}`).expect(200);
      const body = response.body as Array<{ user: string; content: string; timestamp: string }>;
      expect(body.map((m) => m.content)).toEqual(expected.map((m) => m.text));
      expect(body.map((m) => m.user)).toEqual(expected.map((m) => m.from));
      expect(body[0].timestamp).toMatch(new RegExp(`^${expected[0].at.slice(0, 19).replace(' ', 'T')}`));
    } else {
      const [room] = await t.dataSource.query(`SELECT id FROM conversations WHERE kind = 'direct'`);
      const response = await t.http().get(`/api/conversations/${room.id}/messages/`).set('Authorization', `Bearer ${access}`).expect(200);
      const results = (response.body.results ?? response.body) as Array<{ text: string; timestamp: string }>;
      const texts = results.map((m) => m.text);
      // Page order is the contract's; the old history is there, in its order either way.
      expect([...texts].sort()).toEqual(expected.map((m) => m.text).sort());
      const ordered = texts[0] === expected[0].text ? texts : [...texts].reverse();
      expect(ordered).toEqual(expected.map((m) => m.text));
    }
    // Unread counts start at zero: the originals kept no read state.
    const [{ unread }] = await t.dataSource.query(`SELECT sum(c.message_count - cm.last_read_seq)::int AS unread FROM conversation_members cm JOIN conversations c ON c.id = cm.conversation_id`);
    expect(unread).toBe(0);
  });

  it('opens the old rooms live: new messages continue after the imported ids', async () => {
    const access = djangoToken('access', claimId(source.fixture.users.anna));
    const [{ max }] = await t.dataSource.query(`SELECT max(id)::int AS max FROM messages`);
    if (seed003) {
      const room = await openRoom(t.baseUrl, `/messenger/ws/ws/chat/anna_boris/?token=${access}`);
      room.ws.send(JSON.stringify({ message: 'после переезда' }));
      await waitUntil(() => room.frames.some((f) => f.content === 'после переезда'), 5000, 'the echo');
      const frame = room.frames.find((f) => f.content === 'после переезда')!;
      expect(frame.user).toBe('anna');
      expect(Number(frame.id)).toBeGreaterThan(max);
      room.ws.close();
    } else {
      const [room] = await t.dataSource.query(`SELECT id FROM conversations WHERE kind = 'direct'`);
      const socket = connectSocket(t.baseUrl, access);
      await connected(socket);
      const ack = (await request(socket, 'message:send', { conversation: room.id, text: 'after the switch' })) as { ok?: boolean; message?: { id: number } };
      expect(ack.message?.id).toBeGreaterThan(max);
      socket.close();
    }
    // The direct room had 5 messages: the new one is its 6th.
    const [{ seq }] = await t.dataSource.query(`SELECT seq::int FROM messages WHERE text IN ('после переезда', 'after the switch')`);
    expect(seq).toBe(6);
  });

  it('is idempotent, and a later run adds only what is new', async () => {
    // A profile edited in Palaver since is not overwritten by a later run.
    const [{ access }] = [await t.http().post('/accounts/api/token/').send({ username: 'boris', password: OLD_PASSWORD }).expect(200)].map((r) => r.body);
    await t.http().patch('/profiles/api/profile/').set('Authorization', `Bearer ${access}`).send({ bio: 'edited in Palaver' }).expect(200);
    const second = await runImport(t, `sqlite:${source.file}`, layout);
    const [boris] = await t.dataSource.query(`SELECT p.bio FROM profiles p JOIN users u ON u.id = p.user_id WHERE u.username = 'boris'`);
    expect(boris.bio).toBe('edited in Palaver');
    expect(second.tables.users).toMatchObject({ imported: 0, unchanged: 4 });
    expect(second.tables.messages).toMatchObject({ imported: 0, unchanged: 10 });
    expect(second.tables.conversations).toMatchObject({ imported: 0, unchanged: 2 });

    const table = seed003 ? 'messenger_message' : 'chats_message';
    const later = layout === 'messaging-app-uuid'
      ? [`INSERT INTO "${table}" ("message_id", "message_body", "sent_at", "conversation_id", "sender_id") VALUES (?, ?, ?, ?, ?)`, ['ffffffffe29b41d4a716446655440000', 'written at the last minute', '2024-12-02 09:00:00', source.fixture.rooms[0].key, source.fixture.users.boris]]
      : seed003
        ? [`INSERT INTO "${table}" ("id", "content", "timestamp", "room_id", "user_id") VALUES (?, ?, ?, ?, ?)`, [500, 'written at the last minute', '2024-12-02 09:00:00', 3, source.fixture.users.boris]]
        : [`INSERT INTO "${table}" ("id", "text", "timestamp", "conversation_id", "sender_id") VALUES (?, ?, ?, ?, ?)`, [500, 'written at the last minute', '2024-12-02 09:00:00', 3, source.fixture.users.boris]];
    // gleb joins the two-person room in the original: Palaver's direct conversation stays theirs.
    const joined: [string, unknown[]] = seed003
      ? [`INSERT INTO "messenger_chatroom_members" ("chatroom_id", "user_id") VALUES (?, ?)`, [source.fixture.rooms[0].key, source.fixture.users.gleb]]
      : [`INSERT INTO "chats_conversation_participants" ("conversation_id", "user_id") VALUES (?, ?)`, [source.fixture.rooms[0].key, source.fixture.users.gleb]];
    const grown = await sqliteSource(layout, [later as [string, unknown[]], joined]);
    const third = await runImport(t, `sqlite:${grown.file}`, layout);
    expect(third.tables.messages).toMatchObject({ imported: 1, unchanged: 10 });
    expect(third.tables.members).toMatchObject({ imported: 0, skipped: 1 });
    const [{ members }] = await t.dataSource.query(`SELECT count(*)::int AS members FROM conversation_members cm JOIN conversations c ON c.id = cm.conversation_id WHERE c.kind = 'direct'`);
    expect(members).toBe(2);
    const [last] = await t.dataSource.query(`SELECT m.text, m.seq::int AS seq, c.message_count::int AS count FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE m.text = 'written at the last minute'`);
    expect(last.seq).toBe(last.count);

    // Palaver's own ids continue past the imported ones.
    const registered = await t.http().post('/register/').send({ username: 'newcomer', email: 'newcomer@example.com', password: 'a long enough password', bio: '' }).expect(201);
    const [{ max }] = await t.dataSource.query(`SELECT max(id)::int AS max FROM users WHERE username <> 'newcomer'`);
    expect(registered.body.user_id).toBeGreaterThan(max);
  });
});

describe('import:django into a Palaver that is already in use', () => {
  let t: TestApp;
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
    t = await startTestApp({}, database);
  }, 60_000);
  afterAll(async () => {
    await t.close();
    await database.drop();
  });

  it('skips, with the reason, a user whose name differs only in case, and what only they wrote; imports a repeated email as none', async () => {
    const user = (id: number, username: string, email: string): [string, unknown[]] => [
      `INSERT INTO "auth_user" ("id", "password", "is_superuser", "username", "first_name", "last_name", "email", "is_staff", "is_active", "date_joined") VALUES (?, ?, 0, ?, '', '', ?, 0, 1, '2024-11-09 10:00:00')`,
      [id, 'pbkdf2_sha256$1$x$y', username, email],
    ];
    const { file } = await sqliteSource('course-work', [
      user(9, 'ANNA', 'other@example.com'),
      user(10, 'dora', 'ANNA@example.com'),
      [`INSERT INTO "messenger_chatroom_members" ("chatroom_id", "user_id") VALUES (4, 9), (4, 10)`, []],
      [`INSERT INTO "messenger_message" ("id", "content", "timestamp", "room_id", "user_id") VALUES (900, 'from ANNA', '2024-12-03 10:00:00', 4, 9), (901, 'from dora', '2024-12-03 10:00:01', 4, 10)`, []],
    ]);
    const fresh = await createTestDatabase();
    const app = await startTestApp({}, fresh);
    try {
      const result = await runImport(app, `sqlite:${file}`, 'course-work');
      expect(result.tables.users).toMatchObject({ read: 6, imported: 5, skipped: 1 });
      expect(Object.entries(result.tables.users.notes).map(([reason, n]) => [reason.slice(0, 40), n.count, n.examples[0]])).toEqual([
        ['the username differs only in case (or Un', 1, '9 (ANNA), like user 1'],
        ['imported without its email, which anothe', 1, '10 (dora): ANNA@example.com'],
      ]);
      expect(result.tables.messages).toMatchObject({ read: 12, imported: 11, skipped: 1 });
      expect(result.tables.messages.notes['its sender was not imported'].examples).toEqual(['message 900']);
      expect(result.tables.members).toMatchObject({ skipped: 1 });
      const [dora] = await app.dataSource.query(`SELECT email FROM users WHERE username = 'dora'`);
      expect(dora.email).toBe('');
    } finally {
      await app.close();
      await fresh.drop();
    }
  }, 60_000);

  it('refuses to write when Palaver already has a different account under an imported name, and writes nothing', async () => {
    await t.http().post('/register/').send({ username: 'Anna', email: 'someone@example.com', password: 'a long enough password', bio: '' }).expect(201);
    const { file } = await sqliteSource('course-work');
    const before = await t.dataSource.query(`SELECT (SELECT count(*) FROM users)::int AS users, (SELECT count(*) FROM django_imports)::int AS runs`);
    await expect(runImport(t, `sqlite:${file}`, 'course-work')).rejects.toBeInstanceOf(ConflictError);
    const after = await t.dataSource.query(`SELECT (SELECT count(*) FROM users)::int AS users, (SELECT count(*) FROM django_imports)::int AS runs`);
    expect(after).toEqual(before);
  });
});

/** The same deployments read from PostgreSQL and from MySQL/MariaDB (the seed-003 original's own database), through TypeORM's drivers. */
describe.each([
  ['PostgreSQL', 'postgres'],
  ['MariaDB', 'mysql'],
] as const)('import:django from a %s deployment', (_name, dialect) => {
  let server: SourceServer | null = null;
  let t: TestApp;

  beforeAll(async () => {
    server = dialect === 'postgres' ? await startPostgresSource() : await startMariaDbSource();
    if (!server) {
      console.warn('MariaDB is not installed here (mariadb-install-db, mysqld): the MySQL source is not tested in this run');
      return;
    }
    t = await startTestApp({ DJANGO_SECRET_KEY: SECRET });
  }, 90_000);
  afterAll(async () => {
    await t?.close();
    await server?.stop();
  });

  it.each(['course-work', 'messaging-app'] as const)('imports the %s layout with its history in order, and logs in with the old passwords', async (layout) => {
    if (!server) return;
    // One server, two deployments: the second layout's tables sit beside the first's.
    const { statements, fixture } = history(layout, dialect, { messageOffset: layout === 'course-work' ? 0 : 1000 });
    await server.run([...schema(layout, dialect), ...statements.map(([sql, params]) => [dialect === 'postgres' ? numbered(sql) : sql, params] as [string, unknown[]])]);
    if (layout === 'messaging-app') {
      // Not the same people as the course-work deployment: a Palaver already holding those is refused, so start afresh.
      await t.close();
      t = await startTestApp({ DJANGO_SECRET_KEY: SECRET });
    }
    const source = await DjangoSource.open(server.url);
    let report: ImportReport;
    try {
      report = await new DjangoImporter({ source, target: t.dataSource, layout: structuredClone(layout === 'course-work' ? COURSE_WORK : MESSAGING_APP), mediaDir: t.config.mediaDir, batchSize: 4 }).run();
    } finally {
      await source.close();
    }
    expect(report.tables.users).toMatchObject({ imported: 4, skipped: 0 });
    expect(report.tables.messages).toMatchObject({ imported: 10, skipped: 0 });
    const stored: Array<{ text: string }> = await t.dataSource.query(`SELECT text FROM messages ORDER BY conversation_id, seq`);
    const expected = [...fixture.messages].sort((a, b) => Number(a.room) - Number(b.room) || Number(a.key) - Number(b.key)).map((m) => m.text);
    expect(stored.map((m) => m.text)).toEqual(expected);
    await t.http().post('/login/').send({ username: 'anna', password: OLD_PASSWORD }).expect(200);
    const again = await runImportFrom(t, server.url, layout);
    expect(again.tables.messages).toMatchObject({ imported: 0, unchanged: 10 });
  }, 60_000);
});

async function runImportFrom(t: TestApp, url: string, layout: 'course-work' | 'messaging-app'): Promise<ImportReport> {
  const source = await DjangoSource.open(url);
  try {
    return await new DjangoImporter({ source, target: t.dataSource, layout: structuredClone(layout === 'course-work' ? COURSE_WORK : MESSAGING_APP), mediaDir: t.config.mediaDir }).run();
  } finally {
    await source.close();
  }
}
