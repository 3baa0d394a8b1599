import { describe, expect, it } from '@jest/globals';
import { EventEmitter } from 'node:events';
import type { MessageView } from '../chat.types.js';
import { ClusterRelay } from './cluster-relay.js';
import { CLUSTER_MESSAGE_EVENT, CLUSTER_MESSAGES_EVENT, type ChatNamespace } from './realtime-events.js';

/** Two instances' namespaces joined as the Redis adapter joins them: what one emits server-side, the other hears. */
function pair() {
  const [a, b] = [new EventEmitter(), new EventEmitter()];
  const emitted: Array<{ event: string; data: unknown }> = [];
  const link = (from: EventEmitter, to: EventEmitter) =>
    Object.assign(from, {
      serverSideEmit(event: string, data: unknown) {
        emitted.push({ event, data });
        // The adapter serialises the event: the other side gets a copy.
        setImmediate(() => to.emit(event, JSON.parse(JSON.stringify(data))));
        return true;
      },
    });
  return { a: link(a, b) as unknown as ChatNamespace, b: link(b, a) as unknown as ChatNamespace, emitted, rawB: b };
}

const message = (id: number, conversationId = 7): MessageView =>
  ({ id, seq: id, conversationId, text: `m${id}`, clientId: null, createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, id)), sender: { id: 1, username: 'alice', email: 'a@example.com' } }) as unknown as MessageView;

describe('ClusterRelay', () => {
  it('sends the messages stored in one tick as one event, and the other instance gets each in order with its date', async () => {
    const { a, b, emitted } = pair();
    const received: MessageView[] = [];
    const handlers = { message: (m: MessageView) => received.push(m), accountDeleted() {}, roomSignal() {}, membersRemoved() {} };
    const sender = new ClusterRelay();
    sender.attach(a, true, handlers);
    new ClusterRelay().attach(b, true, handlers);
    for (let id = 1; id <= 31; id++) sender.forwardMessage(message(id, id % 2 ? 7 : 8));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(emitted).toHaveLength(1);
    expect(emitted[0].event).toBe(CLUSTER_MESSAGES_EVENT);
    expect(received.map((m) => m.id)).toEqual(Array.from({ length: 31 }, (_, i) => i + 1));
    expect(received[4].createdAt).toEqual(new Date(Date.UTC(2026, 0, 1, 0, 0, 5)));
    expect(received[1].conversationId).toBe(8);
    // The next tick's messages are the next event.
    sender.forwardMessage(message(32));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(emitted).toHaveLength(2);
    expect(received.at(-1)?.id).toBe(32);
  });

  it('still reads the one-message event of an instance on an earlier version, and ignores a malformed batch', async () => {
    const { b, rawB } = pair();
    const received: number[] = [];
    new ClusterRelay().attach(b, true, { message: (m) => received.push(m.id), accountDeleted() {}, roomSignal() {}, membersRemoved() {} });
    rawB.emit(CLUSTER_MESSAGE_EVENT, { ...message(5), createdAt: '2026-01-01T00:00:05.000Z' });
    rawB.emit(CLUSTER_MESSAGES_EVENT, 'not a list');
    expect(received).toEqual([5]);
  });

  it('does nothing without a cluster', async () => {
    const { a, emitted } = pair();
    const relay = new ClusterRelay();
    relay.attach(a, false, { message() {}, accountDeleted() {}, roomSignal() {}, membersRemoved() {} });
    relay.forwardMessage(message(1));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(emitted).toEqual([]);
  });
});
