import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';

/** How long shutdown waits for work under way (sends being stored and acknowledged). */
const IN_FLIGHT_GRACE_MS = 5000;

/** Where the process is: serving; draining (SIGTERM came, still serving); closing (`app.close()`). */
export type LifecyclePhase = 'serving' | 'draining' | 'closing';

/**
 * The process's one state, and the one shutdown sequence:
 * 1. draining (SIGTERM): readiness fails, answers carry `Connection: close`, new WebSocket rooms
 *    are refused; requests are still served while load balancers move away;
 * 2. closing (`app.close()`, also without a signal): new Socket.IO connections and new sends are
 *    refused with 503; work under way ({@link track}) finishes, for at most five seconds;
 * 3. the transports close their connections ({@link onDrained}), telling clients to reconnect.
 */
@Injectable()
export class AppLifecycle implements BeforeApplicationShutdown {
  private readonly logger = new Logger(AppLifecycle.name);
  private current: LifecyclePhase = 'serving';
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly closers: Array<() => Promise<void> | void> = [];
  private drained: Promise<void> | null = null;

  get phase(): LifecyclePhase {
    return this.current;
  }

  /** From SIGTERM on: readiness fails and no new room is opened here. */
  get draining(): boolean {
    return this.current !== 'serving';
  }

  /** From `app.close()` on: no new send or Socket.IO connection is taken. */
  get closing(): boolean {
    return this.current === 'closing';
  }

  /** SIGTERM: starts draining (once), before the server stops listening. */
  beginDrain(): void {
    if (this.current === 'serving') this.current = 'draining';
  }

  /** Runs work that shutdown waits for. */
  async track<T>(work: () => Promise<T>): Promise<T> {
    const running = work();
    this.inFlight.add(running);
    try {
      return await running;
    } finally {
      this.inFlight.delete(running);
    }
  }

  /** Registers how a transport closes its connections once the work under way is done. */
  onDrained(close: () => Promise<void> | void): void {
    this.closers.push(close);
  }

  /** Nest calls this once on `app.close()`; the sequence runs once however often it is asked. */
  beforeApplicationShutdown(): Promise<void> {
    this.drained ??= this.drain();
    return this.drained;
  }

  private async drain(): Promise<void> {
    this.current = 'closing';
    const grace = new Promise((resolve) => setTimeout(resolve, IN_FLIGHT_GRACE_MS).unref());
    await Promise.race([Promise.allSettled([...this.inFlight]), grace]);
    await Promise.all(
      this.closers.map(async (close) => {
        try {
          await close();
        } catch (error) {
          this.logger.warn(`closing connections failed: ${(error as Error).message}`);
        }
      }),
    );
  }
}
