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

  retryAfterMs(now = Date.now()): number {
    return Math.max(0, this.windowStart + this.windowMs - now);
  }
}
