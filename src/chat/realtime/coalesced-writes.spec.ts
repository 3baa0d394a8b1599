import { afterEach, describe, expect, it } from '@jest/globals';
import { createServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { Server as IoServer } from 'socket.io';
import { io as connectIo, type Socket as ClientSocket } from 'socket.io-client';
import { coalesceEngineIoWrites, coalesceWrites, tcpSocketOf } from './coalesced-writes.js';

/** Counts the system-call-level writes of a socket: one `_write` per lone chunk, one `_writev` per coalesced run. */
function countWrites(socket: Socket): { calls: number; chunks: number } {
  const counts = { calls: 0, chunks: 0 };
  const raw = socket as Socket & { _write: (...a: unknown[]) => void; _writev: (...a: unknown[]) => void };
  const write = raw._write.bind(raw);
  const writev = raw._writev.bind(raw);
  raw._write = (...args: unknown[]) => {
    counts.calls++;
    counts.chunks++;
    write(...args);
  };
  raw._writev = (chunks: unknown, ...rest: unknown[]) => {
    counts.calls++;
    counts.chunks += (chunks as unknown[]).length;
    writev(chunks, ...rest);
  };
  return counts;
}

const closers: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

/** A connected pair of TCP sockets: the server's end (written to) and what the client reads. */
async function tcpPair(): Promise<{ server: Socket; received: () => string; until: (length: number) => Promise<void> }> {
  let accepted!: (socket: Socket) => void;
  const serverSide = new Promise<Socket>((resolve) => (accepted = resolve));
  const listener: NetServer = createServer(accepted);
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const { port } = listener.address() as AddressInfo;
  const { connect } = await import('node:net');
  const client = connect(port, '127.0.0.1');
  let text = '';
  client.on('data', (chunk) => (text += chunk.toString()));
  const server = await serverSide;
  closers.push(() => {
    client.destroy();
    server.destroy();
    return new Promise<void>((resolve) => listener.close(() => resolve()));
  });
  const until = async (length: number) => {
    for (let waited = 0; text.length < length && waited < 5000; waited += 10) await new Promise((r) => setTimeout(r, 10));
  };
  return { server, received: () => text, until };
}

describe('coalesceWrites', () => {
  it('sends what is written in one tick in one write, in order, before the event loop goes on', async () => {
    const { server, received, until } = await tcpPair();
    const counts = countWrites(server);
    const frames = Array.from({ length: 30 }, (_, i) => `frame ${i};`);
    for (const frame of frames) {
      coalesceWrites(server);
      server.write(frame);
    }
    expect(counts.calls).toBe(0); // held until the tick's work is done
    await new Promise((resolve) => setImmediate(resolve)); // one turn of the loop: already flushed
    expect(counts).toEqual({ calls: 1, chunks: 30 });
    await until(frames.join('').length);
    expect(received()).toBe(frames.join(''));
  });

  it('leaves lone writes of separate ticks alone, and ignores closed or missing sockets', async () => {
    const { server, received, until } = await tcpPair();
    const counts = countWrites(server);
    coalesceWrites(server);
    server.write('a');
    await new Promise((resolve) => setImmediate(resolve));
    coalesceWrites(server);
    server.write('b');
    await new Promise((resolve) => setImmediate(resolve));
    expect(counts.calls).toBe(2);
    await until(2);
    expect(received()).toBe('ab');
    expect(() => coalesceWrites(undefined)).not.toThrow();
    expect(tcpSocketOf(null)).toBeUndefined();
    server.destroy();
    expect(() => coalesceWrites(server)).not.toThrow();
  });
});

describe('coalesceEngineIoWrites', () => {
  it('puts a burst of Socket.IO packets to one client in a few writes, delivered whole and in order', async () => {
    coalesceEngineIoWrites();
    coalesceEngineIoWrites(); // idempotent
    const http: HttpServer = createHttpServer();
    const io = new IoServer(http, { perMessageDeflate: false });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const { port } = http.address() as AddressInfo;
    let counts: { calls: number; chunks: number } | null = null;
    io.engine.on('connection', (socket: { transport: { socket?: unknown } }) => {
      counts = countWrites(tcpSocketOf(socket.transport.socket)!);
    });
    const client: ClientSocket = connectIo(`http://127.0.0.1:${port}`, { transports: ['websocket'] });
    closers.push(async () => {
      client.close();
      await io.close();
    });
    const serverSocket = await new Promise<import('socket.io').Socket>((resolve) => io.once('connection', resolve));
    await new Promise<void>((resolve) => (client.connected ? resolve() : client.once('connect', () => resolve())));
    const received: number[] = [];
    const all = new Promise<void>((resolve) => client.on('n', (n: number) => received.push(n) === 100 && resolve()));
    counts!.calls = counts!.chunks = 0;
    for (let n = 0; n < 100; n++) serverSocket.emit('n', n);
    await all;
    expect(received).toEqual(Array.from({ length: 100 }, (_, n) => n));
    // Without coalescing: one write per packet (100). With it: the first packet, then the rest.
    expect(counts!.calls).toBeLessThanOrEqual(3);
    expect(counts!.chunks).toBeGreaterThanOrEqual(100);
  });
});
