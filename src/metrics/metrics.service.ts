import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { DomainEvents } from '../events/domain-events.js';

/** A real-time transport, as the connection gauge labels it. */
export type Transport = 'socket.io' | 'websocket';

/** The node-postgres pool behind TypeORM's PostgreSQL driver (its public counters). */
interface PgPool {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

/** The instruments, made only when METRICS_ENABLED is true. */
function instruments(registry: Registry, dataSource: DataSource) {
  const pool = () => (dataSource.driver as unknown as { master?: PgPool }).master;
  return {
    http: new Histogram({
      name: 'palaver_http_request_duration_seconds',
      help: 'HTTP requests by method, route template and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    connections: new Gauge({ name: 'palaver_realtime_connections', help: 'Open real-time connections by transport', labelNames: ['transport'] as const, registers: [registry] }),
    stored: new Counter({ name: 'palaver_messages_stored_total', help: 'Messages stored (idempotent retries are not counted)', registers: [registry] }),
    delivery: new Histogram({
      name: 'palaver_message_delivery_seconds',
      help: "From a message's commit to its delivery to this instance's connections",
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    batch: new Histogram({ name: 'palaver_message_write_batch_size', help: 'Messages written by one statement (sends to one conversation queued behind a write in flight)', buckets: [1, 2, 4, 8, 16, 32, 64, 128], registers: [registry] }),
    gapFills: new Counter({ name: 'palaver_relay_gap_fill_messages_total', help: 'Messages read back from the database because their relay between instances was late or lost', registers: [registry] }),
    loginRefusals: new Counter({ name: 'palaver_login_throttled_total', help: 'Login attempts refused by the throttle (429)', registers: [registry] }),
    poolSize: new Gauge({
      name: 'palaver_db_pool_connections',
      help: 'Database pool connections by state',
      labelNames: ['state'] as const,
      registers: [registry],
      collect() {
        const p = pool();
        if (!p) return;
        this.set({ state: 'total' }, p.totalCount);
        this.set({ state: 'idle' }, p.idleCount);
      },
    }),
    poolWaiting: new Gauge({
      name: 'palaver_db_pool_waiting',
      help: 'Queries waiting for a database connection',
      registers: [registry],
      collect() {
        const p = pool();
        if (p) this.set(p.waitingCount);
      },
    }),
  };
}

/**
 * Prometheus metrics (prom-client), for `GET /metrics`. Off unless METRICS_ENABLED is true; then
 * the process's own metrics (CPU, memory, GC, event-loop lag) and Palaver's: HTTP durations,
 * real-time connections, messages stored and delivered, write batches, relay gap fills, database
 * pool use, login refusals. Each method is a no-op while metrics are off.
 */
@Injectable()
export class Metrics implements OnModuleInit {
  readonly registry: Registry | null;
  private readonly m: ReturnType<typeof instruments> | null;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @InjectDataSource() dataSource: DataSource,
    private readonly events: DomainEvents,
  ) {
    this.registry = config.metrics.enabled ? new Registry() : null;
    this.m = this.registry ? instruments(this.registry, dataSource) : null;
    if (this.registry) collectDefaultMetrics({ register: this.registry });
  }

  onModuleInit(): void {
    if (!this.m) return;
    const m = this.m;
    this.events.on('message.created', () => m.stored.inc());
  }

  httpRequest(method: string, route: string, status: number, seconds: number): void {
    this.m?.http.observe({ method, route, status: String(status) }, seconds);
  }

  connectionOpened(transport: Transport): () => void {
    const gauge = this.m?.connections;
    gauge?.inc({ transport });
    let open = true;
    return () => {
      if (open && gauge) gauge.dec({ transport });
      open = false;
    };
  }

  delivered(createdAt: Date): void {
    this.m?.delivery.observe(Math.max(0, Date.now() - createdAt.getTime()) / 1000);
  }

  writeBatch(size: number): void {
    this.m?.batch.observe(size);
  }

  gapFilled(messages: number): void {
    if (messages > 0) this.m?.gapFills.inc(messages);
  }

  loginRefused(): void {
    this.m?.loginRefusals.inc();
  }
}
