import type { MessageView } from '../chat.types.js';

/** How long a later message waits for an earlier one before the gap is read from the database. */
export const GAP_WAIT_MS = 1000;

export interface SequencerDeps {
  deliver(message: MessageView): void;
  /** Messages with `fromSeq <= seq < toSeq`, in order. */
  fetchRange(conversationId: number, fromSeq: number, toSeq: number): Promise<MessageView[]>;
  onFillError(error: Error): void;
  gapWaitMs?: number;
}

/**
 * Puts one conversation's live messages back in `seq` order on one instance. With several
 * instances, a message stored here is delivered at once while an earlier one stored elsewhere is
 * still on its way through Redis; without this, members here would see them out of order.
 *
 * `seq` is dense (1, 2, 3, … assigned under the conversation's row lock) and every message is
 * committed before its event, so a missing number is always either in flight or readable from the
 * database: a later message waits at most {@link GAP_WAIT_MS}, then the gap is read and delivered
 * (which also recovers messages whose event was lost in a Redis outage). Numbers below the next
 * expected one were delivered already, or predate every member here, and are dropped.
 */
export class ConversationSequencer {
  private next: number;
  private readonly held = new Map<number, MessageView>();
  private timer: NodeJS.Timeout | null = null;
  private filling = false;
  private closed = false;
  readonly createdAt = Date.now();

  constructor(
    readonly conversationId: number,
    /** The `seq` of the latest message when the first member here joined. */
    lastSeq: number,
    private readonly deps: SequencerDeps,
  ) {
    this.next = lastSeq + 1;
  }

  /** Messages waiting for an earlier one. */
  get waiting(): number {
    return this.held.size;
  }

  accept(message: MessageView): void {
    if (this.closed || message.seq < this.next || this.held.has(message.seq)) return;
    this.held.set(message.seq, message);
    this.drain();
    this.armTimer();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.held.clear();
  }

  private drain(): void {
    for (let message = this.held.get(this.next); message; message = this.held.get(this.next)) {
      this.held.delete(this.next);
      this.next += 1;
      this.deps.deliver(message);
    }
    if (!this.held.size && this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }

  private armTimer(): void {
    if (this.held.size && !this.timer && !this.filling && !this.closed) {
      this.timer = setTimeout(() => void this.fill(), this.deps.gapWaitMs ?? GAP_WAIT_MS);
      this.timer.unref();
    }
  }

  private async fill(): Promise<void> {
    this.timer = null;
    if (!this.held.size || this.closed) return;
    this.filling = true;
    const upTo = Math.min(...this.held.keys());
    try {
      const missing = await this.deps.fetchRange(this.conversationId, this.next, upTo);
      for (const message of missing) if (message.seq >= this.next && !this.held.has(message.seq)) this.held.set(message.seq, message);
      this.drain();
      // Cannot happen while seq is dense and committed first; never let one number stall the stream.
      if (this.held.size && this.next < upTo) {
        this.next = upTo;
        this.drain();
      }
    } catch (error) {
      this.deps.onFillError(error as Error);
    } finally {
      this.filling = false;
      this.armTimer();
    }
  }
}
