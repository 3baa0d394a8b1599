import type { Socket } from 'node:net';
import { transports } from 'engine.io';

const CORKED = Symbol('palaver.corked');
type Corkable = Socket & { [CORKED]?: boolean };

/**
 * Holds a TCP socket's writes until the current tick's work is done, so that the frames written to
 * it meanwhile leave in one system call. A committed batch of messages reaches every member of the
 * conversation in one burst; without this each frame was one `writev` (most of the fan-out's CPU,
 * docs/performance.md). The socket is uncorked before the event loop goes on: nothing waits longer.
 */
export function coalesceWrites(socket: Socket | undefined | null): void {
  const raw = socket as Corkable | undefined | null;
  if (!raw || raw[CORKED] || raw.destroyed) return;
  raw[CORKED] = true;
  raw.cork();
  process.nextTick(() => {
    raw[CORKED] = false;
    raw.uncork();
  });
}

/** The TCP socket under a `ws` WebSocket (not part of its typed API). */
export function tcpSocketOf(ws: unknown): Socket | undefined {
  return (ws as { _socket?: Socket } | null)?._socket;
}

let patched = false;

/**
 * Makes engine.io's WebSocket transport coalesce its writes: the packets it flushes together (and
 * what else is written to that connection in the same tick) go out in one system call instead of
 * one per packet. Idempotent; applied once to the class, so it costs connections nothing.
 */
export function coalesceEngineIoWrites(): void {
  if (patched) return;
  patched = true;
  const proto = transports.websocket.prototype as unknown as { send(packets: unknown[]): void; socket?: unknown };
  const send = proto.send;
  proto.send = function (this: { socket?: unknown }, packets: unknown[]) {
    coalesceWrites(tcpSocketOf(this.socket));
    send.call(this, packets);
  };
}
