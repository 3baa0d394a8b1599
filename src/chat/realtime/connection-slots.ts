import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/app-config.js';

/** Each user's open real-time connections on this instance, Socket.IO and plain WebSocket together, capped at WS_MAX_CONNECTIONS_PER_USER. */
@Injectable()
export class ConnectionSlots {
  private readonly open = new Map<number, number>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  get max(): number {
    return this.config.realtime.maxConnectionsPerUser;
  }

  /** True when the user has no slot left. */
  full(userId: number): boolean {
    return (this.open.get(userId) ?? 0) >= this.max;
  }

  /** Takes a slot: the function that gives it back (once, however often it is called), or null when none is left. */
  take(userId: number): (() => void) | null {
    if (this.full(userId)) return null;
    this.open.set(userId, (this.open.get(userId) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.open.get(userId) ?? 1) - 1;
      if (left <= 0) this.open.delete(userId);
      else this.open.set(userId, left);
    };
  }
}
