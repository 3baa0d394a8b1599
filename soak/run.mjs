#!/usr/bin/env node
// Palaver soak test: hundreds of real Socket.IO and plain WebSocket clients sending and reading
// for minutes while connections churn, against the built app on PostgreSQL (loopback only).
//
//   npm run soak                        3 minutes, 150 users: 300 Socket.IO sockets + 50 WebSockets
//   npm run soak -- --seconds 600       longer
//   npm run soak -- --users 300         more clients (two sockets per user)
//   npm run soak -- --instances 2       two app instances behind Redis, clients split between them
//   npm run soak -- --short             20 s, 40 users: keeps the harness working (CI)
//   npm run soak -- --short --inject-loss   one client drops one message: must report FAILED
//
// At the end it checks, for every client that stayed connected, that every acknowledged message
// of its conversations arrived, in order, exactly once; for clients that churned (disconnect,
// reconnect, rejoin with `after`), the same after de-duplication; and that the server's heap
// returned to its starting level once the clients left. Exit code 1 if anything is off.
// Writes soak/results/<date>.json. Environment: SOAK_DATABASE_URL (admin connection, default
// postgres://postgres@127.0.0.1:5432/postgres; a fresh database is created and dropped),
// REDIS_URL (for --instances 2, default redis://127.0.0.1:6379).
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { io } from 'socket.io-client';
import WebSocket from 'ws';
import { freePort, pinSelf, startServer } from '../bench/lib/processes.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values: options } = parseArgs({
  options: {
    seconds: { type: 'string' },
    users: { type: 'string' },
    instances: { type: 'string', default: '1' },
    short: { type: 'boolean', default: false },
    // Checks the checker: one stable socket drops one message it received; the run must fail.
    'inject-loss': { type: 'boolean', default: false },
  },
});
const SETTINGS = {
  seconds: Number(options.seconds ?? (options.short ? 20 : 180)),
  users: Number(options.users ?? (options.short ? 40 : 150)),
  instances: Number(options.instances),
  groupSize: 10,
  /** Users paired into direct rooms; each of them also reads the room over a plain WebSocket. */
  directUsers: options.short ? 10 : 50,
  /** Mean pause between two sends of one socket. */
  sendEveryMs: 2500,
  /** A churning socket stays connected this long on average, then is away for up to 3 s. */
  churnEveryMs: options.short ? 5000 : 15000,
};

const log = (line) => console.log(`[soak] ${new Date().toISOString().slice(11, 19)} ${line}`);
const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const jitter = (mean) => mean * (0.5 + Math.random());

async function http(base, method, path, body, token) {
  const response = await fetch(base + path, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} → ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

async function parallel(items, limit, task) {
  const results = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await task(items[i], i);
      }
    }),
  );
  return results;
}

const counters = { sent: 0, acked: 0, ackErrors: 0, ackTimeouts: 0, connectErrors: 0, disconnects: 0, reconnects: 0, wsErrors: 0, deliveries: 0 };
const errorSamples = [];
function noteError(kind, detail) {
  if (errorSamples.length < 20) errorSamples.push(`${kind}: ${detail}`);
}

/** Message ids acknowledged to some sender, by conversation. */
const acked = new Map();

/**
 * One Socket.IO client. Keeps, per conversation, every message id it received (in arrival
 * order, across reconnects) and the id it was live from (its first join, before any sending).
 */
class SocketClient {
  constructor(server, user, conversations, churns) {
    Object.assign(this, { server, user, conversations, churns });
    this.received = new Map(conversations.map((c) => [c, []]));
    this.lastSeen = new Map();
    this.sessions = 0;
    this.stopped = false;
    this.socket = null;
  }

  async connect() {
    const socket = io(`${this.server.url}/chat`, { transports: ['websocket'], forceNew: true, reconnection: false, auth: { token: this.user.access } });
    this.socket = socket;
    socket.on('message:new', (message) => {
      const list = this.received.get(message.conversation);
      if (!list) return;
      if (this.dropNext) {
        this.dropNext = false;
        return;
      }
      list.push(message.id);
      counters.deliveries += 1;
      this.lastSeen.set(message.conversation, Math.max(this.lastSeen.get(message.conversation) ?? 0, message.id));
    });
    await new Promise((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', (error) => reject(error));
    }).catch((error) => {
      counters.connectErrors += 1;
      noteError('connect', error.message);
      throw error;
    });
    socket.on('disconnect', (reason) => {
      if (!this.leaving) {
        counters.disconnects += 1;
        noteError('unexpected disconnect', `${this.user.username}: ${reason}`);
      }
    });
    this.sessions += 1;
    for (const conversation of this.conversations) {
      const after = this.lastSeen.get(conversation);
      const ack = await socket.timeout(20_000).emitWithAck('conversation:join', after === undefined ? { conversation } : { conversation, after });
      if (!ack.ok) throw new Error(`join ${conversation}: ${JSON.stringify(ack.error)}`);
      // Live from here: a later rejoin replays everything after the newest message seen.
      if (!this.lastSeen.has(conversation)) this.lastSeen.set(conversation, 0);
    }
  }

  async leave() {
    this.leaving = true;
    this.socket?.disconnect();
    this.socket = null;
    await delay(0);
    this.leaving = false;
  }

  /** Sends now and then until stopped; churners also drop and re-establish their connection. */
  async run() {
    let nextChurn = Date.now() + jitter(SETTINGS.churnEveryMs);
    let n = 0;
    while (!this.stopped) {
      await delay(jitter(SETTINGS.sendEveryMs));
      if (this.stopped) break;
      if (this.churns && Date.now() > nextChurn) {
        await this.leave();
        await delay(Math.random() * 3000);
        try {
          await this.connect();
          counters.reconnects += 1;
        } catch (error) {
          noteError('reconnect', error.message);
        }
        nextChurn = Date.now() + jitter(SETTINGS.churnEveryMs);
        continue;
      }
      if (!this.socket?.connected) continue;
      const conversation = this.conversations[Math.floor(Math.random() * this.conversations.length)];
      const clientId = `${this.user.id}-${this.churns ? 'c' : 's'}-${++n}`;
      counters.sent += 1;
      try {
        const ack = await this.socket.timeout(20_000).emitWithAck('message:send', { conversation, text: `soak ${clientId}`, client_id: clientId });
        if (ack.ok) {
          counters.acked += 1;
          if (!acked.has(conversation)) acked.set(conversation, new Set());
          acked.get(conversation).add(ack.message.id);
        } else {
          counters.ackErrors += 1;
          noteError('ack', JSON.stringify(ack.error));
        }
      } catch (error) {
        // A churner's ack can be lost to its own disconnect; a stable client's must not.
        if (!this.churns || this.socket?.connected) {
          counters.ackTimeouts += 1;
          noteError('ack timeout', `${this.user.username}: ${error.message}`);
        }
      }
    }
  }
}

/** A plain WebSocket reader of a direct room: the history frame first, then live frames. */
class RoomReader {
  constructor(server, user, room, conversation) {
    Object.assign(this, { server, user, room, conversation });
    this.received = [];
  }

  connect() {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${this.server.url.replace(/^http/, 'ws')}/ws/chat/${encodeURIComponent(this.room)}/?token=${this.user.access}`);
      this.ws = ws;
      ws.on('message', (data) => {
        const frame = JSON.parse(data.toString());
        if (frame.type === 'message_history') return resolve();
        if (frame.type === 'error') {
          counters.wsErrors += 1;
          noteError('ws frame', JSON.stringify(frame));
          return;
        }
        this.received.push(frame.id);
        counters.deliveries += 1;
      });
      ws.once('unexpected-response', (_req, res) => reject(new Error(`ws refused ${res.statusCode}`)));
      ws.once('error', (error) => {
        counters.wsErrors += 1;
        reject(error);
      });
      ws.on('close', (code) => {
        if (!this.leaving) {
          counters.disconnects += 1;
          noteError('ws closed', String(code));
        }
      });
    });
  }

  close() {
    this.leaving = true;
    this.ws?.close();
  }
}

/** Checks one client's view of one conversation against what was acknowledged and stored. */
function check(received, conversation, stored, result) {
  const expected = acked.get(conversation) ?? new Set();
  const seen = new Set();
  let previous = 0;
  for (const id of received) {
    if (seen.has(id)) {
      result.duplicatesBeforeDedupe += 1;
      continue;
    }
    seen.add(id);
    if (id <= previous) result.outOfOrder += 1;
    previous = id;
    if (!stored.has(id)) result.phantom += 1;
  }
  for (const id of expected) if (!seen.has(id)) result.lost += 1;
  result.expectedDeliveries += expected.size;
}

async function main() {
  const pinned = pinSelf();
  execFileSync(process.execPath, [`${root}/scripts/build-if-needed.mjs`], { stdio: 'inherit', cwd: root });
  const adminUrl = process.env.SOAK_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const dbName = `palaver_soak_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const databaseUrl = Object.assign(new URL(adminUrl), { pathname: `/${dbName}` }).toString();
  const env = {
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    JWT_SECRET: 'soak-secret-0123456789abcdef0123456789abcdef',
    JWT_ACCESS_TTL: '2h',
    MEDIA_DIR: `${os.tmpdir()}/palaver-soak-media-${process.pid}`,
    LOG_LEVEL: 'warn',
    LOGIN_MAX_FAILURES_PER_IP: '100000',
    // Hundreds of users register from this one address in seconds; the limit is configuration.
    REGISTRATIONS_PER_IP_PER_MINUTE: '100000',
    ...(SETTINGS.instances > 1 ? { REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: `palaver-soak-${process.pid}` } : {}),
  };
  if (SETTINGS.instances === 1) delete process.env.REDIS_URL;

  const servers = [];
  let report;
  try {
    log(`settings ${JSON.stringify(SETTINGS)}${pinned ? ' (server on CPU 0, clients on the rest)' : ''}`);
    for (let i = 0; i < SETTINGS.instances; i++) {
      servers.push(await startServer({ name: `app ${i + 1}`, script: `${root}/dist/src/main.js`, env, port: await freePort() }));
    }
    const base = servers[0].url;

    // Users, their groups and direct rooms, through the public API.
    const begun = Date.now();
    const users = await parallel(Array.from({ length: SETTINGS.users }, (_, i) => i), 4, async (i) => {
      const username = `soak${i}_${process.pid}`;
      const password = 'soak password 123';
      const created = await http(base, 'POST', '/accounts/api/users/', { username, email: `${username}@example.com`, password });
      const login = await http(base, 'POST', '/login/', { username, password });
      return { id: created.user.id, username, access: login.access };
    });
    const conversationsOf = new Map(users.map((u) => [u.id, []]));
    const groups = [];
    for (let i = 0; i < users.length; i += SETTINGS.groupSize) {
      const members = users.slice(i, i + SETTINGS.groupSize);
      if (members.length < 3) break;
      const conversation = await http(base, 'POST', '/api/conversations/', { participants: members.slice(1).map((u) => u.id) }, members[0].access);
      groups.push({ id: conversation.id, members });
      for (const member of members) conversationsOf.get(member.id).push(conversation.id);
    }
    const rooms = [];
    for (let i = 0; i + 1 < Math.min(SETTINGS.directUsers, users.length); i += 2) {
      const [a, b] = [users[i], users[i + 1]];
      const room = await http(base, 'POST', '/messenger/api/chatrooms/', { recipient: b.username }, a.access);
      rooms.push({ id: room.id, name: room.name, members: [a, b] });
      conversationsOf.get(a.id).push(room.id);
      conversationsOf.get(b.id).push(room.id);
    }
    log(`${users.length} users, ${groups.length} groups, ${rooms.length} direct rooms in ${((Date.now() - begun) / 1000).toFixed(1)} s`);

    await delay(1000);
    const startMemory = await Promise.all(servers.map((s) => s.memory()));
    log(`server heap before the clients: ${startMemory.map((m) => (m.heapUsed / 2 ** 20).toFixed(1)).join(', ')} MiB`);

    // Two Socket.IO sockets per user, on alternating instances: one stays, one churns.
    const clients = [];
    users.forEach((user, i) => {
      clients.push(new SocketClient(servers[i % servers.length], user, conversationsOf.get(user.id), false));
      clients.push(new SocketClient(servers[(i + 1) % servers.length], user, conversationsOf.get(user.id), true));
    });
    const readers = rooms.flatMap((room, i) => room.members.map((member, j) => new RoomReader(servers[(i + j) % servers.length], member, room.name, room.id)));
    await parallel(clients, 20, (client) => client.connect());
    await parallel(readers, 20, (reader) => reader.connect());
    const connections = clients.length + readers.length;
    log(`${clients.length} Socket.IO sockets and ${readers.length} WebSockets connected; sending for ${SETTINGS.seconds} s`);

    if (options['inject-loss']) setTimeout(() => (clients[0].dropNext = true), (SETTINGS.seconds * 1000) / 2);
    const runs = clients.map((client) => client.run());
    const loadStarted = Date.now();
    const progress = setInterval(() => log(`sent ${counters.sent}, acked ${counters.acked}, deliveries ${counters.deliveries}, reconnects ${counters.reconnects}, errors ${counters.ackErrors + counters.ackTimeouts + counters.connectErrors + counters.wsErrors}`), 15_000);
    await delay(SETTINGS.seconds * 1000);
    const peakMemory = await Promise.all(servers.map((s) => s.memory(false)));
    for (const client of clients) client.stopped = true;
    await Promise.all(runs);
    clearInterval(progress);
    const loadSeconds = (Date.now() - loadStarted) / 1000;

    // Churners that ended away come back and catch up; then everyone drains.
    await parallel(
      clients.filter((c) => !c.socket?.connected),
      20,
      (client) => client.connect().catch((error) => noteError('final reconnect', error.message)),
    );
    let last = -1;
    while (last !== counters.deliveries) {
      last = counters.deliveries;
      await delay(2000);
    }

    // Verify against what the database holds.
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    const storedRows = (await db.query('SELECT conversation_id, id FROM messages')).rows;
    const storedClientIds = (await db.query('SELECT count(*)::int AS n, count(DISTINCT (conversation_id, sender_id, client_id))::int AS distinct_n FROM messages WHERE client_id IS NOT NULL')).rows[0];
    await db.end();
    const stored = new Map();
    for (const row of storedRows) {
      if (!stored.has(row.conversation_id)) stored.set(row.conversation_id, new Set());
      stored.get(row.conversation_id).add(Number(row.id));
    }
    const totals = { stable: blank(), churned: blank(), websocket: blank() };
    for (const client of clients) {
      for (const conversation of client.conversations) {
        check(client.received.get(conversation), conversation, stored.get(conversation) ?? new Set(), client.churns ? totals.churned : totals.stable);
      }
    }
    for (const reader of readers) check(reader.received, reader.conversation, stored.get(reader.conversation) ?? new Set(), totals.websocket);

    for (const client of clients) await client.leave();
    for (const reader of readers) reader.close();
    await delay(3000);
    const endMemory = await Promise.all(servers.map((s) => s.memory()));
    const memory = servers.map((s, i) => ({
      instance: s.name,
      startHeapMiB: round(startMemory[i].heapUsed / 2 ** 20),
      loadedHeapMiB: round(peakMemory[i].heapUsed / 2 ** 20),
      endHeapMiB: round(endMemory[i].heapUsed / 2 ** 20),
      startRssMiB: round(startMemory[i].rss / 2 ** 20),
      endRssMiB: round(endMemory[i].rss / 2 ** 20),
    }));
    // "Back to its starting level": within 10% or 3 MiB of the heap before the clients came,
    // whichever is larger (caches such as the prepared statement and JIT code stay warm).
    const memoryBack = memory.every((m) => m.endHeapMiB <= Math.max(m.startHeapMiB * 1.1, m.startHeapMiB + 3));

    const all = [totals.stable, totals.churned, totals.websocket];
    const lost = sum(all, 'lost');
    const outOfOrder = sum(all, 'outOfOrder');
    const phantom = sum(all, 'phantom');
    const errors = counters.ackErrors + counters.ackTimeouts + counters.connectErrors + counters.wsErrors + counters.disconnects;
    const passed = lost === 0 && outOfOrder === 0 && phantom === 0 && totals.stable.duplicatesBeforeDedupe === 0 && totals.websocket.duplicatesBeforeDedupe === 0 && errors === 0 && memoryBack && storedClientIds.n === storedClientIds.distinct_n && counters.acked > 0;
    report = {
      date: new Date().toISOString(),
      settings: SETTINGS,
      passed,
      connections,
      socketIo: clients.length,
      websockets: readers.length,
      loadSeconds: round(loadSeconds),
      messages: { sent: counters.sent, acknowledged: counters.acked, stored: storedRows.length, perSecond: round(counters.acked / loadSeconds) },
      deliveries: counters.deliveries,
      reconnects: counters.reconnects,
      errors: { total: errors, ackErrors: counters.ackErrors, ackTimeouts: counters.ackTimeouts, connectErrors: counters.connectErrors, websocketErrors: counters.wsErrors, unexpectedDisconnects: counters.disconnects, samples: errorSamples },
      checks: { lost, outOfOrder, phantom, duplicateClientIdsStored: storedClientIds.n - storedClientIds.distinct_n, ...totals },
      memory,
      memoryBack,
      machine: { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, node: process.version, pinned },
    };
  } finally {
    for (const server of servers) await server.stop().catch(() => {});
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => {});
    await admin.end();
  }

  mkdirSync(`${root}/soak/results`, { recursive: true });
  const file = `${root}/soak/results/${report.date.slice(0, 19).replace(/:/g, '-')}${options.short ? '-short' : ''}.json`;
  writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
  console.log(JSON.stringify({ ...report, errors: { ...report.errors, samples: report.errors.samples.slice(0, 5) } }, null, 2));
  log(`${report.passed ? 'PASSED' : 'FAILED'}: ${report.messages.acknowledged} messages acknowledged, ${report.deliveries} deliveries over ${report.connections} connections, lost ${report.checks.lost}; wrote ${file}`);
  process.exit(report.passed ? 0 : 1);
}

function blank() {
  return { expectedDeliveries: 0, lost: 0, outOfOrder: 0, phantom: 0, duplicatesBeforeDedupe: 0 };
}
function sum(list, key) {
  return list.reduce((total, item) => total + item[key], 0);
}
function round(n) {
  return Math.round(n * 10) / 10;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
