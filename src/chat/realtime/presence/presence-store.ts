import type { RedisClient } from '../../../redis/redis.module.js';
import { RedisScript } from '../../../redis/redis-script.js';

/** A user whose last connection anywhere has closed and whose grace period is over. */
export interface Departure {
  userId: number;
  /** When their last connection closed (ms since the epoch). */
  lastSeen: number;
}

/**
 * Who is online, counted over every instance's connections. A user is announced online at their
 * first connection anywhere and offline once they have had none for the grace period: a reload,
 * or a phone switching networks, does not flap. "Online" here means "announced online", so what
 * `GET /api/presence/` answers always matches the events clients were sent.
 */
export interface PresenceStore {
  /** One more connection of the user on this instance; true when they were offline (announce them). */
  connect(userId: number): Promise<boolean>;
  /** One connection fewer on this instance; with none left anywhere, their grace period starts now. */
  disconnect(userId: number, now: number): Promise<void>;
  /**
   * This instance's users and their connection counts, every few seconds: in Redis they expire
   * without it (an instance that crashed stops refreshing). Returns the users that had been
   * dropped meanwhile and are now online again (announce them).
   */
  refresh(connections: Map<number, number>, now: number): Promise<number[]>;
  /** Users whose grace period is over with no connection anywhere (each returned once, on one instance): announce them offline. */
  sweep(now: number): Promise<Departure[]>;
  /** Which of these users are online. */
  online(userIds: number[]): Promise<Set<number>>;
  /** This instance is shutting down: all its connections are gone (their users' grace periods start now). */
  leaveAll(connections: Map<number, number>, now: number): Promise<void>;
}

export interface PresenceTiming {
  /** How long a user with no connection stays online. */
  graceMs: number;
  /** How long an instance's connections count without a refresh. */
  ttlMs: number;
}

/** One instance: the same rules in memory (nothing can expire: this process is the only one). */
export class MemoryPresenceStore implements PresenceStore {
  private readonly connections = new Map<number, number>();
  private readonly announced = new Set<number>();
  /** User → when their last connection closed. */
  private readonly leaving = new Map<number, number>();

  constructor(private readonly timing: PresenceTiming) {}

  async connect(userId: number): Promise<boolean> {
    this.connections.set(userId, (this.connections.get(userId) ?? 0) + 1);
    this.leaving.delete(userId);
    if (this.announced.has(userId)) return false;
    this.announced.add(userId);
    return true;
  }

  async disconnect(userId: number, now: number): Promise<void> {
    const left = (this.connections.get(userId) ?? 0) - 1;
    if (left > 0) return void this.connections.set(userId, left);
    this.connections.delete(userId);
    this.leaving.set(userId, now);
  }

  async refresh(): Promise<number[]> {
    return [];
  }

  async sweep(now: number): Promise<Departure[]> {
    const gone: Departure[] = [];
    for (const [userId, lastSeen] of this.leaving) {
      if (lastSeen + this.timing.graceMs > now) continue;
      this.leaving.delete(userId);
      if (this.announced.delete(userId)) gone.push({ userId, lastSeen });
    }
    return gone;
  }

  async online(userIds: number[]): Promise<Set<number>> {
    return new Set(userIds.filter((id) => this.announced.has(id)));
  }

  async leaveAll(connections: Map<number, number>, now: number): Promise<void> {
    for (const userId of connections.keys()) {
      this.connections.delete(userId);
      this.leaving.set(userId, now);
    }
  }
}

/*
 * Redis keys (under the prefix): `conn:<user>` a hash of instance → connections there;
 * `expiry` a sorted set of `<user>|<instance>` by when that count expires; `leaving` a sorted set
 * of users with no connection, by when their last one closed; `announced` the set of users
 * announced online. Each change is one script, so instances never see half of one.
 */
const CONNECT = `
redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2] .. '|' .. ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[2])
return redis.call('SADD', KEYS[4], ARGV[2])
`;

const DISCONNECT = `
local left = redis.call('HINCRBY', KEYS[1], ARGV[1], -1)
if left <= 0 then
  redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('ZREM', KEYS[2], ARGV[2] .. '|' .. ARGV[1])
end
if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('ZADD', KEYS[3], ARGV[3], ARGV[2]) end
return 0
`;

// ARGV: instance, expiry, key prefix of conn:, then user, count pairs.
const REFRESH = `
local back = {}
for i = 4, #ARGV, 2 do
  local user = ARGV[i]
  redis.call('HSET', ARGV[3] .. user, ARGV[1], ARGV[i + 1])
  redis.call('ZADD', KEYS[1], ARGV[2], user .. '|' .. ARGV[1])
  redis.call('ZREM', KEYS[2], user)
  if redis.call('SADD', KEYS[3], user) == 1 then table.insert(back, user) end
end
return back
`;

// ARGV: now, grace, ttl, key prefix of conn:, limit. Expired counts first (a crashed instance's
// users start leaving from its last refresh), then the users whose grace is over.
const SWEEP = `
local now = tonumber(ARGV[1])
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[5]))
for i = 1, #expired, 2 do
  local member = expired[i]
  redis.call('ZREM', KEYS[1], member)
  local bar = string.find(member, '|', 1, true)
  local user = string.sub(member, 1, bar - 1)
  local conn = ARGV[4] .. user
  redis.call('HDEL', conn, string.sub(member, bar + 1))
  if redis.call('EXISTS', conn) == 0 and not redis.call('ZSCORE', KEYS[2], user) then
    redis.call('ZADD', KEYS[2], tonumber(expired[i + 1]) - tonumber(ARGV[3]), user)
  end
end
local gone = {}
local leaving = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now - tonumber(ARGV[2]), 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[5]))
for i = 1, #leaving, 2 do
  local user = leaving[i]
  redis.call('ZREM', KEYS[2], user)
  if redis.call('EXISTS', ARGV[4] .. user) == 0 and redis.call('SREM', KEYS[3], user) == 1 then
    table.insert(gone, user)
    table.insert(gone, leaving[i + 1])
  end
end
return gone
`;

// ARGV: instance, now, key prefix of conn:, then users.
const LEAVE_ALL = `
for i = 4, #ARGV do
  local user = ARGV[i]
  local conn = ARGV[3] .. user
  redis.call('HDEL', conn, ARGV[1])
  redis.call('ZREM', KEYS[1], user .. '|' .. ARGV[1])
  if redis.call('EXISTS', conn) == 0 then redis.call('ZADD', KEYS[2], ARGV[2], user) end
end
return 0
`;

/** Users refreshed per script call. */
const REFRESH_CHUNK = 500;
/** Entries one sweep looks at (the next sweep takes the rest). */
const SWEEP_LIMIT = 1000;

/** Several instances: counts per instance in Redis, expiring unless their instance refreshes them. */
export class RedisPresenceStore implements PresenceStore {
  private readonly scripts: Record<'connect' | 'disconnect' | 'refresh' | 'sweep' | 'leaveAll', RedisScript>;
  private readonly keys: { expiry: string; leaving: string; announced: string };

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly instance: string,
    private readonly timing: PresenceTiming,
  ) {
    this.scripts = {
      connect: new RedisScript(redis, CONNECT),
      disconnect: new RedisScript(redis, DISCONNECT),
      refresh: new RedisScript(redis, REFRESH),
      sweep: new RedisScript(redis, SWEEP),
      leaveAll: new RedisScript(redis, LEAVE_ALL),
    };
    this.keys = { expiry: `${prefix}expiry`, leaving: `${prefix}leaving`, announced: `${prefix}announced` };
  }

  private conn(userId: number | string): string {
    return `${this.prefix}conn:${userId}`;
  }

  async connect(userId: number): Promise<boolean> {
    const added = await this.scripts.connect.run([this.conn(userId), this.keys.expiry, this.keys.leaving, this.keys.announced], [this.instance, userId, Date.now() + this.timing.ttlMs]);
    return Number(added) === 1;
  }

  async disconnect(userId: number, now: number): Promise<void> {
    await this.scripts.disconnect.run([this.conn(userId), this.keys.expiry, this.keys.leaving], [this.instance, userId, now]);
  }

  async refresh(connections: Map<number, number>, now: number): Promise<number[]> {
    const entries = [...connections];
    const back: number[] = [];
    for (let i = 0; i < entries.length; i += REFRESH_CHUNK) {
      const pairs = entries.slice(i, i + REFRESH_CHUNK).flat();
      const result = (await this.scripts.refresh.run([this.keys.expiry, this.keys.leaving, this.keys.announced], [this.instance, now + this.timing.ttlMs, this.conn(''), ...pairs])) as string[];
      back.push(...result.map(Number));
    }
    return back;
  }

  async sweep(now: number): Promise<Departure[]> {
    const flat = (await this.scripts.sweep.run([this.keys.expiry, this.keys.leaving, this.keys.announced], [now, this.timing.graceMs, this.timing.ttlMs, this.conn(''), SWEEP_LIMIT])) as string[];
    const gone: Departure[] = [];
    for (let i = 0; i < flat.length; i += 2) gone.push({ userId: Number(flat[i]), lastSeen: Number(flat[i + 1]) });
    return gone;
  }

  async leaveAll(connections: Map<number, number>, now: number): Promise<void> {
    const users = [...connections.keys()];
    for (let i = 0; i < users.length; i += REFRESH_CHUNK) {
      await this.scripts.leaveAll.run([this.keys.expiry, this.keys.leaving], [this.instance, now, this.conn(''), ...users.slice(i, i + REFRESH_CHUNK)]);
    }
  }

  async online(userIds: number[]): Promise<Set<number>> {
    if (!userIds.length) return new Set();
    const flags = await this.redis.smIsMember(this.keys.announced, userIds.map(String));
    return new Set(userIds.filter((_, i) => Number(flags[i]) === 1));
  }
}
