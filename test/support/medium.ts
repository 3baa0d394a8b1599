import { Test } from '@nestjs/testing';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import type { DynamicModule, ForwardReference, Provider, Type } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { loadConfig, type AppConfig } from '../../src/config/app-config.js';
import { ConfigModule } from '../../src/config/config.module.js';
import { EventsModule } from '../../src/events/events.module.js';
import { MetricsModule } from '../../src/metrics/metrics.module.js';
import { dataSourceOptions, entities } from '../../src/database/data-source-options.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

/**
 * The medium test tier (as immich's test/medium): a module's providers, built by Nest's
 * dependency injection, on a real migrated database of the test file's own (cloned from the
 * template), without HTTP, sockets or the rest of the app. For repositories and services whose
 * behaviour lives in SQL: numbering, idempotency, concurrency, cascades.
 */
export interface MediumContext {
  get<T>(token: Type<T> | string | symbol): T;
  dataSource: DataSource;
  config: AppConfig;
  /** A user row (and its profile row), straight in SQL: the fixture the tier's tests start from. */
  user(username: string): Promise<number>;
  close(): Promise<void>;
}

export async function startMedium(providers: Provider[], options: { imports?: Array<Type | DynamicModule | ForwardReference>; env?: Record<string, string> } = {}): Promise<MediumContext> {
  const database: TestDatabase = await createTestDatabase();
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: 'memory', JWT_SECRET: 'medium-test-secret-0123456789abcdef0123456789', LOG_LEVEL: 'warn', ...options.env });
  const moduleRef = await Test.createTestingModule({
    imports: [
      ConfigModule.forRoot(config),
      TypeOrmModule.forRoot(dataSourceOptions(database.url, { poolSize: database.poolSize ?? 4, migrationsRun: false })),
      TypeOrmModule.forFeature(entities),
      // Infrastructure every module may inject: the domain events and the (disabled) metrics.
      EventsModule,
      MetricsModule,
      ...(options.imports ?? []),
    ],
    providers,
  }).compile();
  await moduleRef.init();
  const dataSource = moduleRef.get<DataSource>(getDataSourceToken());
  return {
    get: (token) => moduleRef.get(token),
    dataSource,
    config,
    async user(username) {
      const rows: Array<{ id: number }> = await dataSource.query(
        `INSERT INTO users (username, username_key, email, password_hash) VALUES ($1::varchar, lower($1::varchar), $1::varchar || '@example.com', '!') RETURNING id`,
        [username],
      );
      await dataSource.query(`INSERT INTO profiles (user_id) VALUES ($1)`, [rows[0].id]);
      return rows[0].id;
    },
    async close() {
      await moduleRef.close();
      await database.drop();
    },
  };
}
