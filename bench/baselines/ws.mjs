// Baseline for scenario 10: a bare `ws` server with the app's room path and token check,
// broadcasting every frame it receives to the room as a JSON message frame.
import { createServer } from 'node:http';
import { createSecretKey } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { WebSocketServer } from 'ws';

// A KeyObject, as in the app: given a string, jsonwebtoken 9 tries to parse a PEM key on every call.
const secret = createSecretKey(Buffer.from(process.env.JWT_SECRET, 'utf8'));
const verifyOptions = { algorithms: ['HS256'], issuer: process.env.JWT_ISSUER ?? 'palaver', audience: process.env.JWT_AUDIENCE ?? 'palaver-api' };
const ROOM_PATH = /^\/ws\/chat\/([^/]+)\/?$/;

const http = createServer((req, res) => {
  res.writeHead(req.url === '/health' ? 200 : 404, { 'content-type': 'application/json' });
  res.end('{"status":"ok"}');
});
const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
const rooms = new Map();
let nextId = 1;

http.on('upgrade', (request, socket, head) => {
  const url = new URL(request.url, 'http://localhost');
  const match = ROOM_PATH.exec(url.pathname);
  let user;
  try {
    user = jwt.verify(url.searchParams.get('token') ?? '', secret, verifyOptions);
  } catch {
    return socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
  }
  if (!match) return socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
  const room = decodeURIComponent(match[1]);
  wss.handleUpgrade(request, socket, head, (ws) => {
    if (!rooms.has(room)) rooms.set(room, new Set());
    const members = rooms.get(room);
    members.add(ws);
    ws.on('close', () => members.delete(ws));
    ws.on('message', (data) => {
      const { message } = JSON.parse(data.toString());
      const frame = JSON.stringify({ id: nextId++, user: `user${user.sub}`, content: message.trim(), timestamp: new Date().toISOString() });
      for (const member of members) member.send(frame);
    });
  });
});

http.listen(Number(process.env.PORT), '127.0.0.1');
