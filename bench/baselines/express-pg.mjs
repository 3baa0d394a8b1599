// Baseline for scenarios 2–4 and 11: bare Express 5 + jsonwebtoken.verify + node-postgres running the
// same SQL as the app (bench/lib/sql.mjs, the guard's identity lookup included) on a pool of the
// same size. No validation layer, no DI, no ORM, no error filter: only the work the answer needs.
import express from 'express';
import { createSecretKey } from 'node:crypto';
import jwt from 'jsonwebtoken';
import pg from 'pg';
import * as sql from '../lib/sql.mjs';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DB_POOL_SIZE ?? 10) });
// A KeyObject, as in the app: given a string, jsonwebtoken 9 tries to parse a PEM key on every call.
const secret = createSecretKey(Buffer.from(process.env.JWT_SECRET, 'utf8'));
const verifyOptions = { algorithms: ['HS256'], issuer: process.env.JWT_ISSUER ?? 'palaver', audience: process.env.JWT_AUDIENCE ?? 'palaver-api' };

const toMessage = (r) => ({
  id: Number(r.id),
  sender: { id: r.sender_id, username: r.sender_username, email: r.sender_email },
  conversation: r.conversation_id,
  text: r.text,
  timestamp: new Date(r.created_at).toISOString(),
  reply_to: r.reply_to_id === null ? null : Number(r.reply_to_id),
  edited_at: r.edited_at === null ? null : new Date(r.edited_at).toISOString(),
  deleted: r.deleted_at !== null,
  reactions: r.reactions,
});

async function authenticate(req, res) {
  try {
    const claims = jwt.verify((req.headers.authorization ?? '').slice(7), secret, verifyOptions);
    const { rows } = await pool.query(sql.IDENTITY, [Number(claims.sub), claims.sid]);
    if (!rows.length) throw new Error('gone');
    return rows[0];
  } catch {
    res.status(401).json({ message: 'Unauthorized' });
    return null;
  }
}

async function membersOf(ids) {
  const { rows } = await pool.query(sql.MEMBERS_OF, [ids]);
  const by = new Map(ids.map((id) => [id, []]));
  for (const r of rows) by.get(r.conversation_id).push({ id: r.id, username: r.username, email: r.email });
  return by;
}

const app = express();
app.use(express.json({ limit: '1mb' }));
app.get('/health', (_req, res) => res.json({ status: 'ok' }));

app.get('/api/conversations/', async (req, res) => {
  const user = await authenticate(req, res);
  if (!user) return;
  const { rows } = await pool.query(sql.CONVERSATIONS_OF_MEMBER, [user.id, 20]);
  const ids = rows.map((r) => r.id);
  const members = await membersOf(ids);
  const latest = await pool.query(sql.LATEST_OF_MANY, [ids, 20]);
  const previews = new Map(ids.map((id) => [id, []]));
  for (const r of latest.rows) previews.get(r.conversation_id).push(toMessage(r));
  res.json(
    rows.map((c) => ({
      id: c.id,
      participants: members.get(c.id),
      messages: previews.get(c.id),
      created_at: new Date(c.created_at).toISOString(),
      unread_count: Math.max(0, Number(c.message_count) - Number(c.last_read_seq)),
      last_read_message: c.last_read_message_id === null ? null : Number(c.last_read_message_id),
    })),
  );
});

app.get('/api/conversations/:id/messages/', async (req, res) => {
  const user = await authenticate(req, res);
  if (!user) return;
  const id = Number(req.params.id);
  const found = await pool.query(sql.CONVERSATION_FOR_MEMBER, [user.id, id]);
  if (!found.rows.length) return res.status(404).json({ message: 'Not found' });
  await membersOf([id]);
  if (req.query.limit === undefined && req.query.before === undefined) {
    // The whole history (at most LIST_MAX_ITEMS, as the app), read and serialised at once.
    const { rows } = await pool.query(sql.HISTORY_WHOLE, [id, Number(process.env.LIST_MAX_ITEMS ?? 10_000)]);
    return res.json(rows.map(toMessage));
  }
  const limit = Math.min(Number(req.query.limit ?? 50), 200);
  const { rows } =
    req.query.before === undefined
      ? await pool.query(sql.HISTORY_LATEST, [id, limit])
      : await pool.query(sql.HISTORY_BEFORE, [id, limit, Number(req.query.before)]);
  res.json(rows.reverse().map(toMessage));
});

app.post('/api/messages/', async (req, res) => {
  const user = await authenticate(req, res);
  if (!user) return;
  const { conversation, text } = req.body ?? {};
  if (!Number.isInteger(conversation) || typeof text !== 'string' || !text.trim()) return res.status(400).json({ message: 'Bad request' });
  const { rows } = await pool.query(sql.SEND, [conversation, user.id, text.trim(), null, null]);
  if (!rows.length || rows[0].id === null) return res.status(404).json({ message: 'Not found' });
  res.status(201).json(toMessage({ ...rows[0], conversation_id: conversation, text: text.trim(), edited_at: null, deleted_at: null, reactions: [] }));
});

app.listen(Number(process.env.PORT), '127.0.0.1');
