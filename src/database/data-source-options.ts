import type { DataSourceOptions } from 'typeorm';
import { AuthSession } from '../auth/entities/auth-session.entity.js';
import { RefreshToken } from '../auth/entities/refresh-token.entity.js';
import { Profile } from '../profiles/entities/profile.entity.js';
import { User } from '../users/entities/user.entity.js';
import { migrations } from './migrations/index.js';

/** Every entity of the app: listed, not globbed, so the ESM build and the TypeORM CLI see the same set. */
export const entities = [User, Profile, AuthSession, RefreshToken];

/**
 * The one description of the database used by the app, `ormconfig.ts` (TypeORM CLI) and the tests.
 * Schema changes happen only through migrations: `synchronize` stays off everywhere.
 */
export function dataSourceOptions(url: string, options: { poolSize: number; migrationsRun: boolean }): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities,
    migrations,
    migrationsRun: options.migrationsRun,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: ['error', 'migration'],
    poolSize: options.poolSize,
    extra: {
      // Fail fast when the database is unreachable instead of queueing requests forever.
      connectionTimeoutMillis: 5000,
      idleTimeoutMillis: 30000,
      application_name: 'palaver',
    },
  };
}
