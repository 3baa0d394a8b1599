// Baseline for scenarios 6 and 8: a bare socket.io server with the same namespace, handshake
// check (jsonwebtoken.verify) and events as the app, relaying every message it receives with
// `io.to(room).emit`. Nothing is stored.
import { createServer } from 'node:http';
import { createSecretKey } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { Server } from 'socket.io';

// A KeyObject, as in the app: given a string, jsonwebtoken 9 tries to parse a PEM key on every call.
const secret = createSecretKey(Buffer.from(process.env.JWT_SECRET, 'utf8'));
const verifyOptions = { algorithms: ['HS256'], issuer: process.env.JWT_ISSUER ?? 'palaver', audience: process.env.JWT_AUDIENCE ?? 'palaver-api' };

const http = createServer((req, res) => {
  res.writeHead(req.url === '/health' ? 200 : 404, { 'content-type': 'application/json' });
  res.end('{"status":"ok"}');
});
const io = new Server(http);
const chat = io.of('/chat');
let nextId = 1;

chat.use((socket, next) => {
  try {
    const claims = jwt.verify(socket.handshake.auth?.token ?? '', secret, verifyOptions);
    socket.data.user = { id: Number(claims.sub) };
    next();
  } catch {
    next(new Error('Unauthorized'));
  }
});

chat.on('connection', (socket) => {
  void socket.join(`user:${socket.data.user.id}`);
  socket.on('conversation:join', (payload, ack) => {
    void socket.join(`conversation:${payload?.conversation}`);
    if (typeof ack === 'function') ack({ ok: true, conversation: { id: payload?.conversation } });
  });
  socket.on('message:send', (payload, ack) => {
    const message = {
      id: nextId++,
      sender: { id: socket.data.user.id },
      conversation: payload.conversation,
      text: String(payload.text).trim(),
      timestamp: new Date().toISOString(),
    };
    chat.to(`conversation:${payload.conversation}`).emit('message:new', message);
    if (typeof ack === 'function') ack({ ok: true, message });
  });
});

http.listen(Number(process.env.PORT), '127.0.0.1');
