import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash, randomUUID } from 'node:crypto';
import { SessionsRepository, type StoredRefreshToken } from '../../src/auth/sessions.repository.js';
import { startMedium, type MediumContext } from '../support/medium.js';

const token = (): StoredRefreshToken & { raw: string } => {
  const raw = randomUUID();
  return { raw, id: randomUUID(), hash: createHash('sha256').update(raw).digest(), expiresAt: new Date(Date.now() + 3_600_000) };
};

/** SessionsRepository on a real database: rotation, reuse detection, the session cap. */
describe('SessionsRepository (medium)', () => {
  let m: MediumContext;
  let sessions: SessionsRepository;
  let alice: number;

  beforeAll(async () => {
    m = await startMedium([SessionsRepository]);
    sessions = m.get(SessionsRepository);
    alice = await m.user('alice');
  });
  afterAll(async () => {
    await m.close();
  });

  const open = async (maxSessions = 100) => {
    const first = token();
    const id = randomUUID();
    await sessions.open({ id, userId: alice, profile: 'api' }, first, maxSessions);
    return { id, first };
  };

  it('lets only one of two concurrent refreshes of a token spend it', async () => {
    const { first } = await open();
    const successors = [token(), token()];
    const results = await Promise.all(successors.map((next) => sessions.rotate(first.id, first.hash, () => next)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await sessions.isLive(first.id, first.hash, true)).toBe(false);
    const winner = successors[results.findIndex(Boolean)];
    expect(await sessions.isLive(winner.id, winner.hash, true)).toBe(true);
  });

  it('ends the whole family when a spent token comes back (reuse detection)', async () => {
    const { first } = await open();
    const next = token();
    expect(await sessions.rotate(first.id, first.hash, () => next)).toMatchObject({ userId: alice, profile: 'api' });
    expect(await sessions.rotate(first.id, first.hash, () => token())).toBeNull();
    await sessions.revokeForReuse(first.id, first.hash);
    expect(await sessions.liveProfileOf(next.id, next.hash)).toBeNull();
    expect(await sessions.rotate(next.id, next.hash, () => token())).toBeNull();
  });

  it('finds nothing for a known token id with another token hash', async () => {
    const { first } = await open();
    const forged = token();
    expect(await sessions.isLive(first.id, forged.hash, false)).toBe(false);
    expect(await sessions.rotate(first.id, forged.hash, () => token())).toBeNull();
    expect(await sessions.isLive(first.id, first.hash, false)).toBe(true);
  });

  it('keeps at most the cap of live sessions, ending the oldest', async () => {
    const bob = await m.user('bob');
    const opened = [];
    for (let i = 0; i < 4; i++) {
      const first = token();
      await sessions.open({ id: randomUUID(), userId: bob, profile: 'accounts' }, first, 3);
      opened.push(first);
    }
    const live = await Promise.all(opened.map((t) => sessions.isLive(t.id, t.hash, true)));
    expect(live).toEqual([false, true, true, true]);
  });
});
