import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit, type FactoryProvider } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { AppConfig } from '../../../config/app-config.js';
import { APP_CONFIG } from '../../../config/config.module.js';
import { DomainEvents, type Actor } from '../../../events/domain-events.js';
import { AppLifecycle } from '../../../lifecycle/app-lifecycle.js';
import { ProfilesRepository } from '../../../profiles/profiles.repository.js';
import { REDIS_CLIENT, type RedisClient } from '../../../redis/redis.module.js';
import { UsersRepository } from '../../../users/users.repository.js';
import { PRESENCE_FANOUT_MAX } from '../../chat.limits.js';
import { BlocksRepository } from '../../persistence/blocks.repository.js';
import { ConversationsRepository } from '../../persistence/conversations.repository.js';
import { PresenceRepository } from '../../persistence/presence.repository.js';
import { MemoryPresenceStore, RedisPresenceStore, type PresenceStore } from './presence-store.js';

export const PRESENCE_STORE = Symbol('PRESENCE_STORE');

/** How long an instance's connection counts live in Redis without a refresh: a crashed instance's users go offline within this (plus a sweep). */
export const PRESENCE_TTL_MS = 45_000;
const REFRESH_EVERY_MS = 15_000;

/** In Redis when REDIS_URL is set (counted over every instance), else in memory. */
export const presenceStoreProvider: FactoryProvider<PresenceStore> = {
  provide: PRESENCE_STORE,
  inject: [APP_CONFIG, REDIS_CLIENT],
  useFactory: (config: AppConfig, redis: RedisClient | null) => {
    const timing = { graceMs: config.realtime.presenceGraceMs, ttlMs: PRESENCE_TTL_MS };
    if (!config.redisUrl || !redis) return new MemoryPresenceStore(timing);
    const instance = `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
    return new RedisPresenceStore(redis, `${config.redisKeyPrefix}:presence:`, instance, timing);
  },
};

/** One user's presence, as `GET /api/presence/` and the `presence` event show it. */
export interface PresenceState {
  user: Actor;
  online: boolean;
  /** Now while online; else when their last connection closed (null: not since presence was recorded). */
  lastSeen: Date | null;
}

/**
 * Who is online. Every real-time connection (Socket.IO or a plain WebSocket room) counts; a user
 * comes online with their first connection on any instance and goes offline when their last one
 * has been closed for the grace period (PRESENCE_GRACE_MS). Each change is published once, as
 * `presence.changed`, to the people it concerns: those sharing a conversation with the user, and
 * their friends.
 */
@Injectable()
export class PresenceService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(PresenceService.name);
  /** This instance's connected users. */
  private readonly local = new Map<number, { user: Actor; connections: number }>();
  private timers: NodeJS.Timeout[] = [];
  private sweeping = false;
  private lastWarning = 0;
  /** Shutting down: this instance's connections have been taken out of the store at once. */
  private left = false;

  constructor(
    @Inject(PRESENCE_STORE) private readonly store: PresenceStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly conversations: ConversationsRepository,
    private readonly profiles: ProfilesRepository,
    private readonly users: UsersRepository,
    private readonly lastSeen: PresenceRepository,
    private readonly events: DomainEvents,
    private readonly lifecycle: AppLifecycle,
    private readonly blocks: BlocksRepository,
  ) {}

  onModuleInit(): void {
    // At shutdown, while Redis is still there: every connection here is gone, whatever order the
    // transports close in (another instance's sweep announces those who have none elsewhere).
    this.lifecycle.onDrained(() => this.leaveAll());
    const sweepEvery = Math.max(200, Math.min(1000, this.config.realtime.presenceGraceMs / 2));
    this.timers = [setInterval(() => void this.sweep(), sweepEvery).unref(), setInterval(() => void this.refresh(), REFRESH_EVERY_MS).unref()];
  }

  onModuleDestroy(): void {
    for (const timer of this.timers) clearInterval(timer);
  }

  /** A connection of `user` opened; returns what to call (once) when it closes. */
  connected(user: Actor): () => void {
    const entry = this.local.get(user.id) ?? { user, connections: 0 };
    entry.connections++;
    this.local.set(user.id, entry);
    void this.guard('connect', async () => {
      if (await this.store.connect(user.id)) await this.announce(user, true, new Date());
    });
    let open = true;
    return () => {
      if (!open) return;
      open = false;
      const left = (this.local.get(user.id)?.connections ?? 1) - 1;
      if (left > 0) (this.local.get(user.id) as { connections: number }).connections = left;
      else this.local.delete(user.id);
      if (!this.left) void this.guard('disconnect', () => this.store.disconnect(user.id, Date.now()));
    };
  }

  private async leaveAll(): Promise<void> {
    this.left = true;
    for (const timer of this.timers) clearInterval(timer);
    const counts = new Map([...this.local].map(([id, entry]) => [id, entry.connections]));
    if (counts.size) await this.guard('shutdown', () => this.store.leaveAll(counts, Date.now()));
  }

  /** The presence of those of `userIds` who are the viewer's contacts (others are left out), in the order asked. */
  async statesFor(viewerId: number, userIds: number[]): Promise<PresenceState[]> {
    const candidates = [...new Set(userIds)].filter((id) => id !== viewerId);
    if (!candidates.length) return [];
    const [partners, friends] = await Promise.all([this.conversations.partnersAmong(viewerId, candidates), this.profiles.friendsAmong(viewerId, candidates)]);
    const related = [...new Set([...partners, ...friends])];
    // Whoever blocked the viewer is not theirs to watch.
    const blockers = await this.blocks.blockersAmong(viewerId, related);
    const contacts = related.filter((id) => !blockers.includes(id));
    const [users, online, seen] = await Promise.all([this.users.liveByIds(contacts), this.store.online(contacts), this.lastSeen.lastSeenOf(contacts)]);
    const byId = new Map(users.map((u) => [u.id, u]));
    const now = new Date();
    return candidates
      .filter((id) => byId.has(id))
      .map((id) => {
        const user = byId.get(id) as Actor;
        const isOnline = online.has(id);
        return { user: { id: user.id, username: user.username }, online: isOnline, lastSeen: isOnline ? now : (seen.get(id) ?? null) };
      });
  }

  /** Users whose grace period is over (or whose instance stopped refreshing): offline now. */
  private async sweep(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      const gone = await this.store.sweep(Date.now());
      if (!gone.length) return;
      const users = new Map((await this.users.liveByIds(gone.map((g) => g.userId))).map((u) => [u.id, u]));
      for (const { userId, lastSeen } of gone) {
        const user = users.get(userId);
        if (!user) continue; // a deleted account: nobody is told
        const at = new Date(lastSeen);
        await this.lastSeen.saveLastSeen(userId, at);
        await this.announce({ id: user.id, username: user.username }, false, at);
      }
    } catch (error) {
      this.warn('sweep', error as Error);
    } finally {
      this.sweeping = false;
    }
  }

  /** Keeps this instance's users online in Redis; any dropped meanwhile (Redis lost them) are announced again. */
  private async refresh(): Promise<void> {
    if (!this.local.size) return;
    const counts = new Map([...this.local].map(([id, entry]) => [id, entry.connections]));
    await this.guard('refresh', async () => {
      for (const userId of await this.store.refresh(counts, Date.now())) {
        const entry = this.local.get(userId);
        if (entry) await this.announce(entry.user, true, new Date());
      }
    });
  }

  private async announce(user: Actor, online: boolean, lastSeen: Date): Promise<void> {
    const [partners, friends] = await Promise.all([this.conversations.partnersOf(user.id, PRESENCE_FANOUT_MAX), this.profiles.friendIdsOf(user.id, PRESENCE_FANOUT_MAX)]);
    const related = [...new Set([...partners.userIds, ...friends])];
    const hiddenFrom = await this.blocks.blockedAmong(user.id, related);
    const contactIds = related.filter((id) => !hiddenFrom.includes(id));
    this.events.emit('presence.changed', { user, online, lastSeen, contactIds, conversationIds: partners.conversationIds, hiddenFrom });
  }

  private guard(what: string, work: () => Promise<void>): Promise<void> {
    return work().catch((error: Error) => this.warn(what, error));
  }

  private warn(what: string, error: Error): void {
    if (Date.now() - this.lastWarning < 10_000) return;
    this.lastWarning = Date.now();
    this.logger.warn(`presence ${what} failed (presence may lag meanwhile): ${error.message}`);
  }
}
