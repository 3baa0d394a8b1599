/**
 * Asks for one send: 0 when it may start now (and was counted), else how many milliseconds to
 * wait before asking again. The WebSocket rooms pass the sender's message budget.
 */
export type Pace = () => Promise<number>;

/**
 * Sends of one connection, started in order, paced by a budget: a burst beyond it waits its turn
 * instead of being dropped. A send is started, not awaited, so sends within the budget overlap
 * (the message store batches them; it keeps their order). At most `capacity` sends wait; {@link
 * push} refuses one more (the caller then closes the connection: a client flooding that hard is
 * not typing).
 */
export class PacedSendQueue<T> {
  private readonly waiting: T[] = [];
  private running = false;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private wake: (() => void) | null = null;

  constructor(
    private readonly pace: Pace,
    private readonly capacity: number,
    private readonly send: (item: T) => Promise<void>,
  ) {}

  /** False when the queue is full (nothing was added). */
  push(...items: T[]): boolean {
    if (this.stopped || this.waiting.length + items.length > this.capacity) return false;
    this.waiting.push(...items);
    if (!this.running) void this.run();
    return true;
  }

  /** Drops what still waits (the connection is gone). */
  stop(): void {
    this.stopped = true;
    this.waiting.length = 0;
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (this.waiting.length && !this.stopped) {
        const wait = await this.pace();
        if (wait > 0) {
          if (this.stopped) break;
          await new Promise<void>((resolve) => {
            this.wake = resolve;
            this.timer = setTimeout(resolve, wait);
          });
          continue;
        }
        const item = this.waiting.shift();
        if (item === undefined) break; // stop() came while the budget was asked
        // `send` answers its own errors; nothing may escape as an unhandled rejection.
        this.send(item).catch(() => undefined);
      }
    } finally {
      this.running = false;
    }
  }
}
