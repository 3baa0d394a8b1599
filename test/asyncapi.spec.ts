import { describe, expect, it } from '@jest/globals';
import { Parser } from '@asyncapi/parser';
import { MESSAGE_METADATA } from '@nestjs/websockets/constants.js';
import { readFileSync } from 'node:fs';
import { load } from 'js-yaml';
import { CLIENT_EVENTS, ROOM_FRAMES, SERVER_EVENTS } from '../src/chat/realtime/realtime-catalogue.js';
import { ChatGateway } from '../src/chat/realtime/chat.gateway.js';

/** The committed asyncapi.yaml: valid AsyncAPI 3, and describing every event the gateway handles. */
describe('asyncapi.yaml', () => {
  const text = readFileSync('asyncapi.yaml', 'utf8');

  it('is a valid AsyncAPI document (the AsyncAPI parser finds no error and no warning)', async () => {
    const { document, diagnostics } = await new Parser().parse(text);
    expect(diagnostics.map((d) => `${d.severity} ${d.code}: ${d.message} at ${d.path.join('.')}`)).toEqual([]);
    expect(document).toBeDefined();
  });

  it('describes every Socket.IO event the gateway handles, every server event and every room frame', () => {
    const prototype = ChatGateway.prototype as unknown as Record<string, unknown>;
    const handled = Object.getOwnPropertyNames(prototype)
      .map((name) => Reflect.getMetadata(MESSAGE_METADATA, prototype[name] as object) as string | undefined)
      .filter((event): event is string => typeof event === 'string');
    expect(Object.keys(CLIENT_EVENTS).sort()).toEqual(handled.sort());

    const doc = load(text) as { channels: Record<string, { messages: Record<string, { name: string }> }>; operations: Record<string, { action: string }> };
    const chatNames = Object.values(doc.channels.chat.messages).map((m) => m.name);
    for (const event of [...Object.keys(CLIENT_EVENTS), ...Object.keys(SERVER_EVENTS)]) expect(chatNames).toContain(event);
    for (const channel of ['room', 'messengerRoom']) expect(Object.values(doc.channels[channel].messages).map((m) => m.name).sort()).toEqual(Object.keys(ROOM_FRAMES).sort());
    expect(Object.values(doc.operations).filter((o) => o.action === 'send')).toHaveLength(Object.keys(CLIENT_EVENTS).length + 2 * Object.values(ROOM_FRAMES).filter((f) => f.direction === 'send').length);
  });
});
