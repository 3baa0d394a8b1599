import type { RedisClient } from '../../redis/redis.module.js';
import { RedisScript } from '../../redis/redis-script.js';

/** A budget: at most `capacity` at once, refilled at `perSecond` (never above `capacity`). */
export interface BucketRule {
  capacity: number;
  perSecond: number;
}

/**
 * Token buckets by key: in memory (one instance), or in Redis (shared by all instances). A bucket
 * nobody has touched is full.
 */
export interface TokenBuckets {
  /** Takes one token: 0 when taken, else the milliseconds until one will be there (nothing taken). */
  take(key: string, rule: BucketRule): Promise<number>;
  /** Gives one token back (never above capacity): what was taken for something that did not happen. */
  give(key: string, rule: BucketRule): Promise<void>;
}

export const TOKEN_BUCKETS = Symbol('TOKEN_BUCKETS');

/** The arithmetic both stores share: `tokens` as of `at`, and one take (`cost` 1) or give (`cost` -1). */
export function applyToBucket(state: { tokens: number; at: number } | undefined, rule: BucketRule, now: number, cost: 1 | -1): { tokens: number; waitMs: number } {
  const perMs = rule.perSecond / 1000;
  const tokens = state ? Math.min(rule.capacity, state.tokens + Math.max(0, now - state.at) * perMs) : rule.capacity;
  if (cost < 0) return { tokens: Math.min(rule.capacity, tokens + 1), waitMs: 0 };
  if (tokens >= 1) return { tokens: tokens - 1, waitMs: 0 };
  return { tokens, waitMs: Math.max(1, Math.ceil((1 - tokens) / perMs)) };
}

export class MemoryTokenBuckets implements TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number; fullAt: number }>();
  private readonly sweeper = setInterval(() => this.sweep(), 60_000).unref();

  async take(key: string, rule: BucketRule): Promise<number> {
    return this.apply(key, rule, 1);
  }

  async give(key: string, rule: BucketRule): Promise<void> {
    this.apply(key, rule, -1);
  }

  private apply(key: string, rule: BucketRule, cost: 1 | -1): number {
    const now = Date.now();
    const { tokens, waitMs } = applyToBucket(this.buckets.get(key), rule, now, cost);
    this.buckets.set(key, { tokens, at: now, fullAt: now + ((rule.capacity - tokens) * 1000) / rule.perSecond });
    return waitMs;
  }

  /** A bucket that has refilled is the same as no bucket: dropped, so memory follows active users only. */
  private sweep(): void {
    const now = Date.now();
    for (const [key, bucket] of this.buckets) if (bucket.fullAt <= now) this.buckets.delete(key);
  }
}

/**
 * The same bucket in one Redis hash, read and written by one script (atomic across instances),
 * on Redis's clock (instances' clocks may differ). The key expires once the bucket would be full.
 */
const TAKE_OR_GIVE = `
local capacity = tonumber(ARGV[1])
local perMs = tonumber(ARGV[2]) / 1000
local cost = tonumber(ARGV[3])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = capacity
if state[1] then tokens = math.min(capacity, tonumber(state[1]) + math.max(0, now - tonumber(state[2])) * perMs) end
local wait = 0
if cost < 0 then
  tokens = math.min(capacity, tokens + 1)
elseif tokens >= 1 then
  tokens = tokens - 1
else
  wait = math.max(1, math.ceil((1 - tokens) / perMs))
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - tokens) / perMs) + 1000)
return wait
`;

export class RedisTokenBuckets implements TokenBuckets {
  private readonly script: RedisScript;

  constructor(
    redis: RedisClient,
    private readonly prefix: string,
  ) {
    this.script = new RedisScript(redis, TAKE_OR_GIVE);
  }

  async take(key: string, rule: BucketRule): Promise<number> {
    return this.run(key, rule, 1);
  }

  async give(key: string, rule: BucketRule): Promise<void> {
    await this.run(key, rule, -1);
  }

  private async run(key: string, rule: BucketRule, cost: 1 | -1): Promise<number> {
    return Number(await this.script.run([this.prefix + key], [rule.capacity, rule.perSecond, cost]));
  }
}
