import { Injectable } from '@nestjs/common';
import { ApiException } from '../../common/errors/api-exceptions.js';
import { AppLifecycle } from '../../lifecycle/app-lifecycle.js';
import { ChatService, type SendOptions } from '../chat.service.js';
import type { ConversationView, MessageView } from '../chat.types.js';
import { RealtimeHub } from './realtime-hub.service.js';

/** A send refused because the server is closing: the client retries on another instance. */
export class ShuttingDownException extends ApiException {
  constructor() {
    super(503, 'Server is shutting down; reconnect and retry', 'service_unavailable');
  }
}

/** How a connection starts listening: what it sees first, and how it then receives live messages. */
export interface StreamStart {
  /** Replays what the connection should see before live messages, reporting each id it delivered. */
  replay?: (delivered: (id: number) => void) => Promise<void>;
  /** The id the replay starts after (0: from the first message). */
  from?: number;
  /**
   * Starts live delivery to the connection, given the messages stored during the replay that it
   * has not seen (newer than the last replayed id, in id order, each once). Runs synchronously
   * right after the replay, so nothing falls between the two.
   */
  attach: (held: MessageView[]) => void;
}

/**
 * The rules both real-time transports share, so each transport only translates frames: how a
 * connection joins a conversation's stream (replay, then live, with no gap and no duplicate), and
 * how a send is taken (refused while closing, waited for by shutdown, answered inside that wait).
 */
@Injectable()
export class RealtimeCore {
  constructor(
    private readonly chat: ChatService,
    private readonly hub: RealtimeHub,
    private readonly lifecycle: AppLifecycle,
  ) {}

  /**
   * Joins a connection to a conversation's live stream. The conversation's message count, as
   * read when it was resolved, tells this instance where its live delivery starts; live messages
   * stored while `replay` runs are held back and handed to `attach`.
   */
  async stream(conversation: ConversationView, start: StreamStart): Promise<void> {
    this.hub.follow(conversation.id, conversation.messageCount);
    if (!start.replay) return start.attach([]);
    const gate = this.hub.openGate(conversation.id);
    let last = start.from ?? 0;
    try {
      await start.replay((id) => (last = id));
    } finally {
      start.attach(this.hub.closeGate(gate, last));
    }
  }

  /**
   * Stores a message from a real-time client and hands the result to `answer`, all inside the
   * lifecycle's tracking, so a shutdown waits until the answer is written. While closing, throws
   * {@link ShuttingDownException} (503) and stores nothing.
   */
  async send(
    userId: number,
    reference: number | string,
    text: unknown,
    clientId: string | null | undefined,
    options: SendOptions,
    answer: (result: { message: MessageView; created: boolean }) => void,
  ): Promise<void> {
    if (this.lifecycle.closing) throw new ShuttingDownException();
    await this.lifecycle.track(async () => answer(await this.chat.sendTo(userId, reference, text, clientId, options)));
  }
}
