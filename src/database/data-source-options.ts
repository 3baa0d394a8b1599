import { Logger } from '@nestjs/common';
import type { DataSourceOptions, Logger as TypeOrmLogger } from 'typeorm';
import { AuthSession } from '../auth/entities/auth-session.entity.js';
import { RefreshToken } from '../auth/entities/refresh-token.entity.js';
import { Conversation } from '../chat/entities/conversation.entity.js';
import { ConversationMember } from '../chat/entities/conversation-member.entity.js';
import { ConversationNameAlias } from '../chat/entities/conversation-name-alias.entity.js';
import { Message } from '../chat/entities/message.entity.js';
import { MessageReaction } from '../chat/entities/message-reaction.entity.js';
import { UserPresence } from '../chat/entities/user-presence.entity.js';
import { UserBlock } from '../chat/entities/user-block.entity.js';
import { Post } from '../posts/entities/post.entity.js';
import { Friendship } from '../profiles/entities/friendship.entity.js';
import { Profile } from '../profiles/entities/profile.entity.js';
import { User } from '../users/entities/user.entity.js';
import { migrations } from './migrations/index.js';

/** Every entity of the app: listed, not globbed, so the ESM build and the TypeORM CLI see the same set. */
export const entities = [User, Profile, Friendship, Post, Conversation, ConversationMember, ConversationNameAlias, Message, MessageReaction, UserPresence, UserBlock, AuthSession, RefreshToken];

/** TypeORM's messages through Nest's logger (errors and migrations only; never query text at info level). */
class NestTypeOrmLogger implements TypeOrmLogger {
  private readonly logger = new Logger('TypeORM');
  logQuery(): void {}
  logQueryError(error: string | Error, query: string): void {
    // Warn, not error: constraint violations are expected and turned into 400s by the services.
    this.logger.warn(`query failed: ${error instanceof Error ? error.message : error} — ${query.replace(/\s+/g, ' ').slice(0, 500)}`);
  }
  logQuerySlow(time: number, query: string): void {
    this.logger.warn(`slow query (${time} ms): ${query.replace(/\s+/g, ' ').slice(0, 500)}`);
  }
  logSchemaBuild(message: string): void {
    this.logger.debug(message);
  }
  logMigration(message: string): void {
    this.logger.log(message);
  }
  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(String(message));
    else this.logger.debug(String(message));
  }
}

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
    logger: new NestTypeOrmLogger(),
    maxQueryExecutionTime: 1000,
    poolSize: options.poolSize,
    extra: {
      // Fail fast when the database is unreachable instead of queueing requests forever.
      connectionTimeoutMillis: 5000,
      idleTimeoutMillis: 30000,
      application_name: 'palaver',
    },
  };
}
