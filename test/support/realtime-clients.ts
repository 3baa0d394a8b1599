import { io, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import type { ClientEventName, ClientEvents } from '../../src/chat/realtime/realtime-events.js';

export function connectSocket(baseUrl: string, token: string | null, options: { query?: Record<string, string>; headers?: Record<string, string> } = {}): Socket {
  return io(`${baseUrl}/chat`, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    auth: token === null ? {} : { token },
    query: options.query,
    extraHeaders: options.headers,
  });
}

export function connected(socket: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    if (socket.connected) return resolve();
    socket.once('connect', () => resolve());
    socket.once('connect_error', (error) => reject(error));
  });
}

export function connectError(socket: Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    socket.once('connect', () => reject(new Error('connected, but should have been refused')));
    socket.once('connect_error', (error) => resolve(error.message));
  });
}

/** Emits with an acknowledgement, typed by the shared event map. */
export function request<E extends ClientEventName>(socket: Socket, event: E, payload: unknown): Promise<ClientEvents[E]['ack']> {
  return socket.timeout(10_000).emitWithAck(event, payload) as Promise<ClientEvents[E]['ack']>;
}

/** Collects `message:new` events. */
export function collect(socket: Socket): Array<{ id: number; text: string; conversation: number }> {
  const received: Array<{ id: number; text: string; conversation: number }> = [];
  socket.on('message:new', (message) => received.push(message));
  return received;
}

export async function waitUntil(check: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export interface RoomClient {
  ws: WebSocket;
  frames: Array<Record<string, unknown>>;
  closed: Promise<{ code: number; reason: string }>;
}

/** Opens a plain WebSocket; resolves once open (with frames collected), rejects with the HTTP status if refused. */
export function openRoom(baseUrl: string, path: string): Promise<RoomClient> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(baseUrl.replace(/^http/, 'ws') + path);
    const frames: Array<Record<string, unknown>> = [];
    const closed = new Promise<{ code: number; reason: string }>((done) => ws.on('close', (code, reason) => done({ code, reason: reason.toString() })));
    ws.on('message', (data) => frames.push(JSON.parse(data.toString())));
    ws.once('open', () => resolve({ ws, frames, closed }));
    ws.once('unexpected-response', (_request, response) => reject(Object.assign(new Error(`refused with ${response.statusCode}`), { status: response.statusCode })));
    ws.once('error', (error) => reject(error));
  });
}
