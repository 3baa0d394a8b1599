import { describe, expect, it } from '@jest/globals';
import type { MessageView } from '../chat.types.js';
import { ConversationSequencer } from './conversation-sequencer.js';

function message(seq: number): MessageView {
  return { id: 1000 + seq, conversationId: 7, seq, sender: { id: 1, username: 'a', email: 'a@example.com' }, text: `m${seq}`, clientId: null, createdAt: new Date(), replyTo: null, editedAt: null, deleted: false, reactions: [] };
}

function setup(options: { stored?: number[]; fail?: number } = {}) {
  const delivered: number[] = [];
  const fetches: Array<[number, number]> = [];
  const errors: string[] = [];
  let failures = options.fail ?? 0;
  const sequencer = new ConversationSequencer(7, 10, {
    deliver: (m) => delivered.push(m.seq),
    fetchRange: async (_id, from, to) => {
      fetches.push([from, to]);
      if (failures > 0) {
        failures -= 1;
        throw new Error('database down');
      }
      return (options.stored ?? []).filter((seq) => seq >= from && seq < to).map(message);
    },
    onFillError: (error) => errors.push(error.message),
    gapWaitMs: 20,
  });
  return { sequencer, delivered, fetches, errors };
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('ConversationSequencer', () => {
  it('passes messages in order straight through', () => {
    const { sequencer, delivered, fetches } = setup();
    for (const seq of [11, 12, 13]) sequencer.accept(message(seq));
    expect(delivered).toEqual([11, 12, 13]);
    expect(sequencer.waiting).toBe(0);
    expect(fetches).toEqual([]);
  });

  it('holds a later message until the earlier one arrives, then delivers both in order', () => {
    const { sequencer, delivered } = setup();
    sequencer.accept(message(12));
    sequencer.accept(message(13));
    expect(delivered).toEqual([]);
    sequencer.accept(message(11));
    expect(delivered).toEqual([11, 12, 13]);
    sequencer.close();
  });

  it('drops repeats and messages from before the join point', () => {
    const { sequencer, delivered } = setup();
    sequencer.accept(message(9));
    sequencer.accept(message(10));
    sequencer.accept(message(11));
    sequencer.accept(message(11));
    expect(delivered).toEqual([11]);
  });

  it('reads a gap from the database when the earlier message does not come', async () => {
    const { sequencer, delivered, fetches } = setup({ stored: [11, 12] });
    sequencer.accept(message(13));
    await wait(60);
    expect(fetches).toEqual([[11, 13]]);
    expect(delivered).toEqual([11, 12, 13]);
    // The lost event turning up late is not delivered twice.
    sequencer.accept(message(12));
    expect(delivered).toEqual([11, 12, 13]);
  });

  it('retries the read while the database is down, and keeps order meanwhile', async () => {
    const { sequencer, delivered, errors } = setup({ stored: [11], fail: 2 });
    sequencer.accept(message(12));
    await wait(150);
    expect(errors).toEqual(['database down', 'database down']);
    expect(delivered).toEqual([11, 12]);
  });

  it('never stalls on a number the database does not have either', async () => {
    const { sequencer, delivered } = setup({ stored: [] });
    sequencer.accept(message(12));
    await wait(60);
    expect(delivered).toEqual([12]);
    sequencer.accept(message(13));
    expect(delivered).toEqual([12, 13]);
  });
});
