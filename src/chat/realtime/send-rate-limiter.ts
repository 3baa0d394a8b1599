/** A fixed-window counter per connection: at most `limit` sends per `windowMs`. */
export class SendRateLimiter {
  private windowStart = 0;
  private count = 0;

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** True when one more send is allowed now (and counts it). */
  tryTake(now = Date.now()): boolean {
    if (now - this.windowStart >= this.windowMs) {
      this.windowStart = now;
      this.count = 0;
    }
    if (this.count >= this.limit) return false;
    this.count++;
    return true;
  }

  /** How long until {@link tryTake} can succeed (0: now). */
  waitMs(now = Date.now()): number {
    if (now - this.windowStart >= this.windowMs || this.count < this.limit) return 0;
    return this.windowStart + this.windowMs - now;
  }
}

/**
 * Sends of one connection, started in order, paced by a {@link SendRateLimiter}: a burst beyond
 * the rate waits its turn instead of being dropped. A send is started, not awaited, so sends
 * within the rate overlap as before (the message store batches them; it keeps their order). At
 * most `capacity` sends wait; {@link push} refuses one more (the caller then closes the
 * connection: a client flooding that hard is not typing).
 */
export class PacedSendQueue<T> {
  private readonly waiting: T[] = [];
  private running = false;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private wake: (() => void) | null = null;

  constructor(
    private readonly limiter: SendRateLimiter,
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
        const wait = this.limiter.waitMs();
        if (wait > 0) {
          await new Promise<void>((resolve) => {
            this.wake = resolve;
            this.timer = setTimeout(resolve, wait);
          });
          continue;
        }
        this.limiter.tryTake();
        // `send` answers its own errors; nothing may escape as an unhandled rejection.
        this.send(this.waiting.shift()!).catch(() => undefined);
      }
    } finally {
      this.running = false;
    }
  }
}
