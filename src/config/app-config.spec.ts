import { describe, expect, it } from '@jest/globals';
import { availableParallelism } from 'node:os';
import { ConfigError, loadConfig } from './app-config.js';

const base = { DATA_DIR: 'memory' };

describe('loadConfig', () => {
  it('has working defaults for a bare machine', () => {
    const config = loadConfig(base);
    expect(config.port).toBe(3000);
    expect(config.databaseUrl).toBeNull();
    expect(config.migrationsRun).toBe(true);
    expect(config.redisUrl).toBeNull();
    expect(config.jwt.accessTtlSeconds).toBe(900);
    expect(config.jwt.refreshTtlSeconds).toBe(7 * 86400);
    expect(config.jwt.refreshRotation).toBe(true);
    expect(config.jwt.secret.length).toBeGreaterThanOrEqual(32);
    expect(config.loginThrottle).toEqual({
      windowSeconds: 900,
      maxFailuresPerAccountAndIp: 10,
      maxFailuresPerIp: 100,
      slowIntervalSeconds: 10,
      maxRegistrationsPerIpPerMinute: 30,
      maxSessionsPerUser: 100,
    });
  });

  it('budgets each user 50 messages at once then 2 a second, and 20 new conversations then 1 a minute', () => {
    expect(loadConfig(base).budgets).toEqual({ messages: { capacity: 50, perSecond: 2 }, conversations: { capacity: 20, perSecond: 1 / 60 } });
    expect(loadConfig({ ...base, MESSAGE_BURST: '10', MESSAGES_PER_MINUTE: '30' }).budgets.messages).toEqual({ capacity: 10, perSecond: 0.5 });
    expect(loadConfig({ ...base, CONVERSATIONS_PER_HOUR: '7200' }).budgets.conversations.perSecond).toBe(2);
    expect(() => loadConfig({ ...base, MESSAGE_BURST: '0' })).toThrow(ConfigError);
  });

  it('stops at a setting that was replaced, naming what replaced it', () => {
    expect(() => loadConfig({ ...base, WS_SEND_RATE_LIMIT: '20' })).toThrow(/WS_SEND_RATE_LIMIT was replaced by MESSAGE_BURST and MESSAGES_PER_MINUTE/);
    expect(() => loadConfig({ ...base, WS_SEND_RATE_WINDOW: '10' })).toThrow(ConfigError);
  });

  it("gives the /accounts/ family the original's token lifetimes and bounds whole lists", () => {
    const config = loadConfig(base);
    expect(config.jwt.accountsAccessTtlSeconds).toBe(30 * 86400);
    expect(config.jwt.accountsRefreshTtlSeconds).toBe(60 * 86400);
    expect(config.listMaxItems).toBe(10000);
    expect(config.realtime.sendQueueSize).toBe(100);
    expect(loadConfig({ ...base, ACCOUNTS_JWT_ACCESS_TTL: '1h' }).jwt.accountsAccessTtlSeconds).toBe(3600);
  });

  it('allows web clients on loopback origins in development only, unless told otherwise', () => {
    expect(loadConfig(base).corsOrigins).toBe('loopback');
    expect(loadConfig({ ...base, NODE_ENV: 'test' }).corsOrigins).toBeNull();
    expect(loadConfig({ ...base, NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) }).corsOrigins).toBeNull();
    expect(loadConfig({ ...base, CORS_ORIGINS: 'none' }).corsOrigins).toBeNull();
    expect(loadConfig({ ...base, NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), CORS_ORIGINS: 'loopback' }).corsOrigins).toBe('loopback');
  });

  it('trusts a number of proxy hops or named proxies, never every hop (review finding 3)', () => {
    expect(loadConfig(base).trustProxy).toBe(false);
    expect(loadConfig({ ...base, TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ ...base, TRUST_PROXY: 'loopback, 10.0.0.0/8, 192.168.1.7, fd00::/8' }).trustProxy).toEqual(['loopback', '10.0.0.0/8', '192.168.1.7', 'fd00::/8']);
    expect(() => loadConfig({ ...base, TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY must name the proxies to trust/);
    expect(() => loadConfig({ ...base, TRUST_PROXY: 'proxy.example.com' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, TRUST_PROXY: '10.0.0.0/33' })).toThrow(ConfigError);
  });

  it('takes PUBLIC_URL as an origin with an optional path prefix (review finding 11)', () => {
    expect(loadConfig(base).publicUrl).toBeNull();
    expect(loadConfig({ ...base, PUBLIC_URL: 'https://chat.example.com/' }).publicUrl).toBe('https://chat.example.com');
    expect(loadConfig({ ...base, PUBLIC_URL: 'https://example.com/palaver/' }).publicUrl).toBe('https://example.com/palaver');
    expect(() => loadConfig({ ...base, PUBLIC_URL: 'ftp://example.com' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, PUBLIC_URL: 'https://example.com/?a=1' })).toThrow(ConfigError);
  });

  it('hashes passwords on one fewer thread than the CPUs, within the libuv pool, unless told', () => {
    expect(loadConfig(base).passwordHashConcurrency).toBe(Math.max(1, Math.min(4, availableParallelism() - 1)));
    expect(loadConfig({ ...base, UV_THREADPOOL_SIZE: '1' }).passwordHashConcurrency).toBe(1);
    expect(loadConfig({ ...base, PASSWORD_HASH_CONCURRENCY: '3' }).passwordHashConcurrency).toBe(3);
    expect(() => loadConfig({ ...base, PASSWORD_HASH_CONCURRENCY: '0' })).toThrow(ConfigError);
  });

  it('reads durations, booleans and lists', () => {
    const config = loadConfig({
      ...base,
      JWT_ACCESS_TTL: '5m',
      JWT_REFRESH_TTL: '2d',
      AUTH_REFRESH_ROTATION: 'false',
      MIGRATIONS_RUN: '0',
      CORS_ORIGINS: 'https://a.example.com, http://localhost:5173',
      DATABASE_URL: 'postgres://u@db:5432/palaver',
      REDIS_URL: 'redis://cache:6379',
    });
    expect(config.jwt.accessTtlSeconds).toBe(300);
    expect(config.jwt.refreshTtlSeconds).toBe(172800);
    expect(config.jwt.refreshRotation).toBe(false);
    expect(config.migrationsRun).toBe(false);
    expect(config.corsOrigins).toEqual(['https://a.example.com', 'http://localhost:5173']);
    expect(config.databaseUrl).toBe('postgres://u@db:5432/palaver');
    expect(config.redisUrl).toBe('redis://cache:6379');
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT must be a whole number'],
    [{ PORT: '70000' }, 'PORT must be between 0 and 65535'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL must start with postgres:// or postgresql://'],
    [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL is not a valid URL'],
    [{ MIGRATIONS_RUN: 'maybe' }, 'MIGRATIONS_RUN must be true or false'],
    [{ JWT_ACCESS_TTL: 'soon' }, 'JWT_ACCESS_TTL must be a duration'],
    [{ JWT_SECRET: 'short' }, 'JWT_SECRET must be at least 32 characters'],
    [{ NODE_ENV: 'staging' }, 'NODE_ENV must be one of development, production, test'],
    [{ CORS_ORIGINS: 'example.com' }, 'CORS_ORIGINS must be *, loopback, none or a comma-separated list'],
    [{ NODE_ENV: 'production' }, 'JWT_SECRET is required when NODE_ENV=production'],
  ])('refuses %j with one line naming the variable', (env, expected) => {
    let error: unknown;
    try {
      loadConfig({ ...base, ...env });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(expected);
    expect((error as Error).message).not.toContain('\n');
  });

  it('accepts production with a secret', () => {
    const config = loadConfig({ ...base, NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40) });
    expect(config.logFormat).toBe('json');
    expect(config.jwt.secret).toBe('x'.repeat(40));
  });
});
