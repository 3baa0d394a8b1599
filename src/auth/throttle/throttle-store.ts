/** Fixed-window counters for login throttling: in memory, or in Redis to share them between instances. */
export interface ThrottleStore {
  /** Adds one to `key`, starting a window of `windowMs` if none is open; returns the count and time left. */
  hit(key: string, windowMs: number): Promise<{ count: number; remainingMs: number }>;
  peek(key: string): Promise<{ count: number; remainingMs: number }>;
  /** Takes one back from an open window (never below zero, never reopening a closed one). */
  release(key: string): Promise<void>;
  reset(key: string): Promise<void>;
}

export const THROTTLE_STORE = Symbol('THROTTLE_STORE');

export class MemoryThrottleStore implements ThrottleStore {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();
  private readonly sweeper = setInterval(() => this.sweep(), 60_000).unref();

  async hit(key: string, windowMs: number) {
    const now = Date.now();
    let window = this.windows.get(key);
    if (!window || window.resetAt <= now) {
      window = { count: 0, resetAt: now + windowMs };
      this.windows.set(key, window);
    }
    window.count++;
    return { count: window.count, remainingMs: window.resetAt - now };
  }

  async peek(key: string) {
    const window = this.windows.get(key);
    const now = Date.now();
    if (!window || window.resetAt <= now) return { count: 0, remainingMs: 0 };
    return { count: window.count, remainingMs: window.resetAt - now };
  }

  async release(key: string) {
    const window = this.windows.get(key);
    if (window && window.resetAt > Date.now() && window.count > 0) window.count--;
  }

  async reset(key: string) {
    this.windows.delete(key);
  }

  private sweep() {
    const now = Date.now();
    for (const [key, window] of this.windows) if (window.resetAt <= now) this.windows.delete(key);
  }
}
