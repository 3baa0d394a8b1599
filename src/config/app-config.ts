import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import type { BucketRule } from '../common/rate/token-buckets.js';

/** Typed configuration of the whole app. Read once at boot by {@link loadConfig}; nothing else reads `process.env`. */
export interface AppConfig {
  nodeEnv: 'development' | 'production' | 'test';
  port: number;
  host: string;
  /** `postgres://…` when set; `null` means the embedded PostgreSQL (PGlite) in {@link dataDir}. */
  databaseUrl: string | null;
  /** Directory of the embedded database, the dev JWT secret and media; `memory` for a throwaway database. */
  dataDir: string;
  dbPoolSize: number;
  /** Uploaded files, served read-only at /media/. */
  mediaDir: string;
  /** Largest accepted image upload. */
  mediaMaxBytes: number;
  /** Most pixels an uploaded image may have (width × height, every frame): refused before decoding. */
  mediaMaxPixels: number;
  migrationsRun: boolean;
  redisUrl: string | null;
  /** `GET /metrics` (Prometheus text) is served only when enabled; with a token, only to `Authorization: Bearer <token>`. */
  metrics: { enabled: boolean; token: string | null };
  /** The reference web client's build, served at /app/ when it holds an index.html; null: not served. */
  webAppDir: string | null;
  /** Prefix of every Redis key and stream, so several deployments can share one Redis. */
  redisKeyPrefix: string;
  /**
   * The original Django deployment's SECRET_KEY (or SimpleJWT's SIGNING_KEY), set only for the
   * weeks after a switch: its tokens issued before the last import keep working until they expire.
   */
  djangoSecretKey: string | null;
  jwt: {
    secret: string;
    issuer: string;
    audience: string;
    /** Lifetimes of tokens from `/login/` and `/api/token/` (the seed-000 family). */
    accessTtlSeconds: number;
    refreshTtlSeconds: number;
    /**
     * Lifetimes of tokens from `/accounts/api/token/` and `/accounts/api/users/`: the original's 30
     * and 60 days, because its web client never refreshes. Safe only because every request checks
     * the session server-side (logout, reuse detection and deletion end it at once).
     */
    accountsAccessTtlSeconds: number;
    accountsRefreshTtlSeconds: number;
    refreshRotation: boolean;
  };
  loginThrottle: {
    windowSeconds: number;
    /** Failed attempts allowed for one account from one client IP per window. */
    maxFailuresPerAccountAndIp: number;
    /** Failed attempts allowed from one client IP, over all accounts, per window. */
    maxFailuresPerIp: number;
    /**
     * Once an address has spent its failure budget it is slowed down, not locked out: one attempt
     * per this interval is still checked, so a right password from behind that address gets in.
     */
    slowIntervalSeconds: number;
    /** Registrations (either family) one client IP may attempt per minute: each costs an argon2 hash. */
    maxRegistrationsPerIpPerMinute: number;
    /** Live sessions (logins) per user; a new one ends the oldest beyond this. */
    maxSessionsPerUser: number;
  };
  /**
   * Origins allowed by CORS: a list, `*`, or `loopback` (any `http://localhost:<port>` or
   * `http://127.0.0.1:<port>`: the development default, so a web client on its dev server works
   * as it did against the original, which allowed `http://localhost:3000`); null: no CORS.
   */
  corsOrigins: string[] | '*' | 'loopback' | null;
  /**
   * Which proxies' `X-Forwarded-*` headers to believe, as Express's `trust proxy` takes it: `false`,
   * a number of hops (the proxies in front of the app), or a list of addresses, CIDR ranges and
   * Express's names (`loopback`, `linklocal`, `uniquelocal`). Never "every hop": then the
   * left-most `X-Forwarded-For`, which any client writes, would be the client's address.
   */
  trustProxy: false | number | string[];
  /**
   * The address clients reach the API at (`https://chat.example.com`, optionally with a path
   * prefix): absolute links (pagination) are built on it, never on the request's `Host`.
   */
  publicUrl: string | null;
  bodyLimitBytes: number;
  /** Bounds on slow or idle HTTP clients (slowloris), applied to the Node HTTP server. */
  httpTimeouts: {
    /** A request's headers must arrive within this (Node `headersTimeout`); else 408. */
    headersMs: number;
    /** A whole request, body included, must arrive within this (`requestTimeout`); else 408. */
    requestMs: number;
    /** An idle keep-alive connection is closed after this (`keepAliveTimeout`). */
    keepAliveMs: number;
  };
  logLevel: 'error' | 'warn' | 'log' | 'debug' | 'verbose';
  /**
   * argon2 hashes run at once. By default one fewer than the CPUs this process may use (at least
   * one, at most the libuv pool): hashing then never takes the event loop's CPU.
   */
  passwordHashConcurrency: number;
  logFormat: 'json' | 'pretty';
  shutdownTimeoutMs: number;
  /**
   * Most items a list answers when the client asks for no page (room history, the user list, the
   * posts list): the originals answer whole lists, and their clients have no paging.
   */
  listMaxItems: number;
  /**
   * Per-user budgets (token buckets: `capacity` at once, refilled at `perSecond`), the same for
   * every transport; shared between instances through Redis when REDIS_URL is set.
   */
  budgets: {
    /** Messages sent, over REST, Socket.IO and the WebSocket rooms together. */
    messages: BucketRule;
    /** Conversations created (groups, and direct conversations opened for the first time). */
    conversations: BucketRule;
  };
  realtime: {
    /** Open real-time connections per user on one instance. */
    maxConnectionsPerUser: number;
    /** Frames a plain WebSocket connection may have waiting for the send rate; one more closes it (1008). */
    sendQueueSize: number;
    /** Milliseconds a user with no connection left stays online (a reload does not flap). */
    presenceGraceMs: number;
  };
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`Invalid configuration: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function str(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = str(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function metricsToken(env: Env): string | null {
  const token = str(env, 'METRICS_TOKEN');
  if (token === undefined) return null;
  if (token.length < 16) throw new ConfigError('METRICS_TOKEN', 'must be at least 16 characters');
  return token;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = str(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (['true', '1', 'yes', 'on'].includes(raw)) return true;
  if (['false', '0', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = str(env, name);
  if (raw === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}

function url(env: Env, name: string, protocols: string[]): string | null {
  const raw = str(env, name);
  if (raw === undefined) return null;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, 'is not a valid URL');
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must start with ${protocols.map((p) => `${p}//`).join(' or ')}`);
  }
  return raw;
}

/** Durations such as `900`, `15m`, `7d` → seconds. */
function duration(env: Env, name: string, fallbackSeconds: number): number {
  const raw = str(env, name);
  if (raw === undefined) return fallbackSeconds;
  const match = /^(\d+)\s*(s|m|h|d)?$/.exec(raw);
  if (!match) throw new ConfigError(name, `must be a duration like 900, 15m, 12h or 7d, got "${raw}"`);
  const factor = { s: 1, m: 60, h: 3600, d: 86400 }[(match[2] ?? 's') as 's' | 'm' | 'h' | 'd'];
  const seconds = Number(match[1]) * factor;
  if (seconds < 1) throw new ConfigError(name, 'must be at least one second');
  return seconds;
}

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function trustProxy(raw: string | undefined): AppConfig['trustProxy'] {
  if (raw === undefined || ['false', '0', 'no', 'off'].includes(raw.toLowerCase())) return false;
  if (['true', 'yes', 'on'].includes(raw.toLowerCase())) {
    throw new ConfigError('TRUST_PROXY', 'must name the proxies to trust, not all of them: the number of proxies in front of the app (e.g. 1) or their addresses (e.g. loopback, 10.0.0.0/8); "true" would let any client choose its own address');
  }
  if (/^\d+$/.test(raw)) {
    const hops = Number(raw);
    if (hops > 10) throw new ConfigError('TRUST_PROXY', `must be at most 10 hops, got ${hops}`);
    return hops;
  }
  const entries = raw.split(',').map((entry) => entry.trim()).filter(Boolean);
  for (const entry of entries) {
    const [address, bits, extra] = entry.split('/');
    const validAddress = PROXY_NAMES.has(entry) || isIP(address) !== 0;
    const validBits = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (isIP(address) === 6 ? 128 : 32));
    if (!validAddress || !validBits || extra !== undefined) {
      throw new ConfigError('TRUST_PROXY', `must be false, a number of hops, or addresses, CIDR ranges and loopback/linklocal/uniquelocal separated by commas, got "${entry}"`);
    }
  }
  return entries;
}

/**
 * Development only: a random secret generated once and kept in DATA_DIR, so tokens survive
 * restarts without anyone having to invent a secret. Production must set JWT_SECRET.
 */
function developmentSecret(dataDir: string): string {
  if (dataDir === 'memory') return randomBytes(48).toString('base64url');
  const file = join(dataDir, 'jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

/** Settings that no longer exist, and what took their place: set, they stop the start with a clear message. */
const REPLACED: Record<string, string> = {
  WS_SEND_RATE_LIMIT: 'MESSAGE_BURST and MESSAGES_PER_MINUTE (one budget per user over every transport)',
  WS_SEND_RATE_WINDOW: 'MESSAGE_BURST and MESSAGES_PER_MINUTE (one budget per user over every transport)',
};

export function loadConfig(env: Env = process.env): AppConfig {
  const nodeEnv = oneOf(env, 'NODE_ENV', ['development', 'production', 'test'] as const, 'development');
  const rawDataDir = str(env, 'DATA_DIR') ?? './data';
  const dataDir = rawDataDir === 'memory' ? 'memory' : isAbsolute(rawDataDir) ? rawDataDir : resolve(rawDataDir);

  let secret = str(env, 'JWT_SECRET');
  if (secret === undefined) {
    if (nodeEnv === 'production') {
      throw new ConfigError('JWT_SECRET', 'is required when NODE_ENV=production (use at least 32 random characters)');
    }
    secret = developmentSecret(dataDir);
  } else if (secret.length < 32) {
    throw new ConfigError('JWT_SECRET', 'must be at least 32 characters long');
  }

  for (const [old, replacement] of Object.entries(REPLACED)) {
    if (str(env, old) !== undefined) throw new ConfigError(old, `was replaced by ${replacement}`);
  }

  const corsRaw = str(env, 'CORS_ORIGINS');
  let corsOrigins: AppConfig['corsOrigins'] = nodeEnv === 'development' ? 'loopback' : null;
  if (corsRaw === '*' || corsRaw === 'loopback') corsOrigins = corsRaw;
  else if (corsRaw === 'none') corsOrigins = null;
  else if (corsRaw !== undefined) {
    corsOrigins = corsRaw.split(',').map((origin) => origin.trim()).filter(Boolean);
    for (const origin of corsOrigins) {
      if (!/^https?:\/\/[^/\s]+$/.test(origin)) {
        throw new ConfigError('CORS_ORIGINS', `must be *, loopback, none or a comma-separated list of origins like https://app.example.com, got "${origin}"`);
      }
    }
  }

  return {
    nodeEnv,
    port: int(env, 'PORT', 3000, 0, 65535),
    host: str(env, 'HOST') ?? '0.0.0.0',
    databaseUrl: url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
    dataDir,
    dbPoolSize: int(env, 'DB_POOL_SIZE', 10, 1, 200),
    mediaDir: resolve(str(env, 'MEDIA_DIR') ?? (dataDir === 'memory' ? join(tmpdir(), `palaver-media-${process.pid}`) : join(dataDir, 'media'))),
    mediaMaxBytes: int(env, 'MEDIA_MAX_BYTES', 5 * 1024 * 1024, 1024, 100 * 1024 * 1024),
    mediaMaxPixels: int(env, 'MEDIA_MAX_PIXELS', 40_000_000, 1, 1_000_000_000),
    migrationsRun: bool(env, 'MIGRATIONS_RUN', true),
    redisUrl: url(env, 'REDIS_URL', ['redis:', 'rediss:']),
    metrics: { enabled: bool(env, 'METRICS_ENABLED', false), token: metricsToken(env) },
    webAppDir: str(env, 'WEB_APP_DIR') === 'off' ? null : resolve(str(env, 'WEB_APP_DIR') ?? 'examples/web/dist'),
    redisKeyPrefix: (() => {
      const prefix = str(env, 'REDIS_KEY_PREFIX') ?? 'palaver';
      if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(prefix)) throw new ConfigError('REDIS_KEY_PREFIX', 'must be 1 to 64 letters, digits or _.:-');
      return prefix;
    })(),
    djangoSecretKey: str(env, 'DJANGO_SECRET_KEY') ?? null,
    jwt: {
      secret,
      issuer: str(env, 'JWT_ISSUER') ?? 'palaver',
      audience: str(env, 'JWT_AUDIENCE') ?? 'palaver-api',
      accessTtlSeconds: duration(env, 'JWT_ACCESS_TTL', 15 * 60),
      refreshTtlSeconds: duration(env, 'JWT_REFRESH_TTL', 7 * 86400),
      accountsAccessTtlSeconds: duration(env, 'ACCOUNTS_JWT_ACCESS_TTL', 30 * 86400),
      accountsRefreshTtlSeconds: duration(env, 'ACCOUNTS_JWT_REFRESH_TTL', 60 * 86400),
      refreshRotation: bool(env, 'AUTH_REFRESH_ROTATION', true),
    },
    loginThrottle: {
      windowSeconds: duration(env, 'LOGIN_THROTTLE_WINDOW', 15 * 60),
      maxFailuresPerAccountAndIp: int(env, 'LOGIN_MAX_FAILURES_PER_ACCOUNT', 10, 1, 100000),
      maxFailuresPerIp: int(env, 'LOGIN_MAX_FAILURES_PER_IP', 100, 1, 1000000),
      slowIntervalSeconds: duration(env, 'LOGIN_SLOW_INTERVAL', 10),
      maxRegistrationsPerIpPerMinute: int(env, 'REGISTRATIONS_PER_IP_PER_MINUTE', 30, 1, 1000000),
      maxSessionsPerUser: int(env, 'AUTH_MAX_SESSIONS_PER_USER', 100, 1, 100000),
    },
    corsOrigins,
    trustProxy: trustProxy(str(env, 'TRUST_PROXY')),
    publicUrl: (() => {
      const raw = url(env, 'PUBLIC_URL', ['http:', 'https:']);
      if (raw === null) return null;
      const parsed = new URL(raw);
      if (parsed.search || parsed.hash || parsed.username || parsed.password) throw new ConfigError('PUBLIC_URL', 'must be an http(s) address with at most a path, like https://chat.example.com');
      return `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`;
    })(),
    bodyLimitBytes: int(env, 'BODY_LIMIT_BYTES', 100 * 1024, 1024, 50 * 1024 * 1024),
    httpTimeouts: {
      headersMs: duration(env, 'HTTP_HEADERS_TIMEOUT', 20) * 1000,
      requestMs: duration(env, 'HTTP_REQUEST_TIMEOUT', 30) * 1000,
      keepAliveMs: duration(env, 'HTTP_KEEPALIVE_TIMEOUT', 5) * 1000,
    },
    logLevel: oneOf(env, 'LOG_LEVEL', ['error', 'warn', 'log', 'debug', 'verbose'] as const, 'log'),
    passwordHashConcurrency: int(env, 'PASSWORD_HASH_CONCURRENCY', Math.max(1, Math.min(Number(env.UV_THREADPOOL_SIZE) || 4, availableParallelism() - 1)), 1, 1024),
    logFormat: oneOf(env, 'LOG_FORMAT', ['json', 'pretty'] as const, nodeEnv === 'production' ? 'json' : 'pretty'),
    shutdownTimeoutMs: int(env, 'SHUTDOWN_TIMEOUT_MS', 10000, 0, 120000),
    listMaxItems: int(env, 'LIST_MAX_ITEMS', 10000, 100, 1000000),
    budgets: {
      messages: { capacity: int(env, 'MESSAGE_BURST', 50, 1, 1000000), perSecond: int(env, 'MESSAGES_PER_MINUTE', 120, 1, 100000000) / 60 },
      conversations: { capacity: int(env, 'CONVERSATION_BURST', 20, 1, 1000000), perSecond: int(env, 'CONVERSATIONS_PER_HOUR', 60, 1, 100000000) / 3600 },
    },
    realtime: {
      maxConnectionsPerUser: int(env, 'WS_MAX_CONNECTIONS_PER_USER', 20, 1, 100000),
      sendQueueSize: int(env, 'WS_SEND_QUEUE_SIZE', 100, 1, 100000),
      presenceGraceMs: int(env, 'PRESENCE_GRACE_MS', 5000, 0, 600000),
    },
  };
}
