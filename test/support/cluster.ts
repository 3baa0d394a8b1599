import type { Socket } from 'socket.io-client';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';
import { startTestApp, type TestApp } from './test-app.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';
import { createUser, type TestUser } from './users.js';

export interface TwoInstances {
  a: TestApp;
  b: TestApp;
  /** Alice registered on A, Bob on B; they share a direct room (created on A). */
  alice: TestUser;
  bob: TestUser;
  room: { id: number; name: string };
  /** Their database. */
  database: TestDatabase;
  /** The proxy between the proxied instances and Redis, when there is one. */
  proxy: TcpProxy | null;
  /** Sockets to disconnect at the end. */
  sockets: Socket[];
  close(): Promise<void>;
}

/**
 * Two instances of the app on one database and one Redis (REDIS_URL), as behind a load balancer.
 * `proxied` puts a TCP proxy the test controls between Redis and both instances, or B alone;
 * `env` adds settings to both.
 */
export async function startTwoInstances(proxied: 'none' | 'both' | 'b' = 'none', env: Record<string, string> = {}): Promise<TwoInstances> {
  const database: TestDatabase = await createTestDatabase();
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const target = new URL(redisUrl);
  const proxy = proxied === 'none' ? null : await startTcpProxy(target.hostname, Number(target.port || 6379));
  const viaProxy = proxy ? `redis://127.0.0.1:${proxy.port}` : redisUrl;
  const prefix = `palaver-test-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  const a = await startTestApp({ ...env, REDIS_URL: proxied === 'both' ? viaProxy : redisUrl, REDIS_KEY_PREFIX: prefix }, database);
  const b = await startTestApp({ ...env, REDIS_URL: viaProxy, REDIS_KEY_PREFIX: prefix }, database);
  const alice = await createUser(a, 'alice');
  const bob = await createUser(b, 'bob');
  const room = (await a.http().post('/messenger/api/chatrooms/').set('Authorization', `Bearer ${alice.access}`).send({ recipient: bob.username }).expect(201)).body;
  const sockets: Socket[] = [];
  return {
    a,
    b,
    alice,
    bob,
    room,
    database,
    proxy,
    sockets,
    async close() {
      for (const socket of sockets) socket.disconnect();
      await a.close();
      await b.close();
      await proxy?.close();
      await database.drop();
    },
  };
}
