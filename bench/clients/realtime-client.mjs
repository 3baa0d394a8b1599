// A load-generating process driven over IPC by bench/run.mjs. Receivers are kept cheap so that
// the server, not the client, is the bottleneck: Socket.IO receivers speak Engine.IO v4 over a
// plain `ws` socket (answering pings, reading only the timestamp in each message), plain
// WebSocket receivers use `ws`. The sender is a real `socket.io-client` (or `ws`) client.
import { io as connectSocketIo } from 'socket.io-client';
import WebSocket from 'ws';

const BUCKET_MS = 0.01; // latency histogram: 10 µs buckets up to 10 s
const BUCKETS = 1_000_000;
let histogram = new Uint32Array(BUCKETS);
let deliveries = 0;
let errors = 0;
let lastDeliveryAt = 0;
const receivers = [];
let sender = null;

const now = () => performance.timeOrigin + performance.now();

function record(text, from) {
  const at = text.indexOf('t=', from);
  if (at < 0) return;
  const sentAt = parseFloat(text.slice(at + 2, at + 22));
  const t = now();
  const bucket = Math.min(BUCKETS - 1, Math.max(0, Math.round((t - sentAt) / BUCKET_MS)));
  histogram[bucket]++;
  deliveries++;
  lastDeliveryAt = t;
}

/** A Socket.IO receiver without socket.io-client: Engine.IO v4 packets read by hand. */
function rawSocketIo(url, token, conversation) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`, { perMessageDeflate: false });
    const timer = setTimeout(() => reject(new Error('Socket.IO receiver: no answer in 30 s')), 30_000);
    ws.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    ws.on('message', (data) => {
      const text = data.toString();
      if (text.startsWith('42/chat,["message:new"')) return record(text, 22);
      if (text === '2') return ws.send('3');
      if (text.startsWith('0{')) return ws.send(`40/chat,${JSON.stringify({ token })}`);
      if (text.startsWith('40/chat,')) {
        if (conversation === undefined) {
          clearTimeout(timer);
          return resolve(ws);
        }
        return ws.send(`42/chat,1${JSON.stringify(['conversation:join', { conversation }])}`);
      }
      if (text.startsWith('43/chat,1')) {
        clearTimeout(timer);
        if (!text.includes('"ok":true')) return reject(new Error(`join refused: ${text}`));
        return resolve(ws);
      }
      if (text.startsWith('44/chat,')) {
        clearTimeout(timer);
        return reject(new Error(`connect refused: ${text}`));
      }
    });
  });
}

function rawRoom(url, token, room) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/ws/chat/${encodeURIComponent(room)}/?token=${token}`, { perMessageDeflate: false });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.on('message', (data) => {
      const text = data.toString();
      if (text.startsWith('{"type":"message_history"')) return;
      if (text.startsWith('{"type":"error"')) return void errors++;
      record(text, 0);
    });
  });
}

async function connectAll({ kind, url, tokens, conversation, room, parallel = 100 }) {
  let next = 0;
  const open = async () => {
    while (next < tokens.length) {
      const token = tokens[next++];
      receivers.push(kind === 'ws' ? await rawRoom(url, token, room) : await rawSocketIo(url, token, conversation));
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, tokens.length) }, open));
  return { connected: receivers.length };
}

function padded(size) {
  const head = `t=${now().toFixed(3)};`;
  return head + 'x'.repeat(Math.max(0, size - head.length));
}

async function connectSender({ kind, url, token, conversation, room }) {
  if (kind === 'ws') {
    const ws = await new Promise((resolve, reject) => {
      const socket = new WebSocket(`${url.replace('http', 'ws')}/ws/chat/${encodeURIComponent(room)}/?token=${token}`, { perMessageDeflate: false });
      socket.once('open', () => resolve(socket));
      socket.once('error', reject);
    });
    // The sender is a member too: its own copy of each message is its acknowledgement.
    const waiters = [];
    ws.on('message', (data) => {
      const text = data.toString();
      if (text.startsWith('{"type":"message_history"')) return;
      if (text.startsWith('{"type":"error"')) errors++;
      waiters.shift()?.();
    });
    sender = { send: (text) => new Promise((resolve) => (waiters.push(resolve), ws.send(JSON.stringify({ message: text })))), close: () => ws.close() };
  } else {
    const socket = connectSocketIo(`${url}/chat`, { auth: { token }, transports: ['websocket'] });
    await new Promise((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    sender = {
      send: async (text) => {
        const answer = await socket.timeout(30_000).emitWithAck('message:send', { conversation, text });
        if (!answer?.ok) errors++;
      },
      close: () => socket.close(),
    };
  }
  return { ready: true };
}

/** Closed loop (`window` sends in flight) or open loop at `rate` messages per second. */
async function send({ mode, window = 32, rate = 100, duration, size = 1024 }) {
  const until = now() + duration * 1000;
  const startedAt = now();
  let sent = 0;
  let acked = 0;
  if (mode === 'window') {
    const lane = async () => {
      while (now() < until) {
        sent++;
        await sender.send(padded(size));
        acked++;
      }
    };
    await Promise.all(Array.from({ length: window }, lane));
  } else {
    const pending = [];
    await new Promise((resolve) => {
      const tick = setInterval(() => {
        const due = Math.floor(((now() - startedAt) / 1000) * rate);
        while (sent < due) {
          sent++;
          pending.push(sender.send(padded(size)).then(() => acked++));
        }
        if (now() >= until) {
          clearInterval(tick);
          resolve();
        }
      }, 2);
    });
    await Promise.all(pending);
  }
  return { sent, acked, startedAt, endedAt: now() };
}

function report() {
  const buckets = [];
  for (let i = 0; i < BUCKETS; i++) if (histogram[i]) buckets.push([i, histogram[i]]);
  return { deliveries, errors, lastDeliveryAt, bucketMs: BUCKET_MS, buckets };
}

process.on('message', async ({ id, command, args }) => {
  try {
    let result;
    if (command === 'connect') result = await connectAll(args);
    else if (command === 'sender') result = await connectSender(args);
    else if (command === 'send') result = await send(args);
    else if (command === 'reset') {
      histogram = new Uint32Array(BUCKETS);
      deliveries = errors = lastDeliveryAt = 0;
      result = { ok: true };
    } else if (command === 'report') result = report();
    else if (command === 'close') {
      for (const ws of receivers) ws.terminate();
      receivers.length = 0;
      sender?.close();
      result = { ok: true };
    } else throw new Error(`unknown command ${command}`);
    process.send({ id, result });
  } catch (error) {
    process.send({ id, error: error.stack ?? String(error) });
  }
});
