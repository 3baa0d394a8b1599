import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountsModule } from './accounts/accounts.module.js';
import { AuthModule } from './auth/auth.module.js';
import { ChatModule } from './chat/chat.module.js';
import { JwtAuthGuard } from './auth/jwt-auth.guard.js';
import { createValidationPipe } from './common/validation/validation-pipe.js';
import { HttpExceptionFilter } from './common/errors/http-exception.filter.js';
import type { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { dataSourceOptions } from './database/data-source-options.js';
import { HealthModule } from './health/health.module.js';
import { EventsModule } from './events/events.module.js';
import { LifecycleModule } from './lifecycle/lifecycle.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { PostsModule } from './posts/posts.module.js';
import { ProfilesModule } from './profiles/profiles.module.js';
import { RedisModule } from './redis/redis.module.js';
import { UsersModule } from './users/users.module.js';

/**
 * The whole app for one validated configuration. `config.databaseUrl` must be set: `main.ts` (or a
 * test) starts the embedded PostgreSQL first when the environment names no server.
 */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig & { databaseUrl: string }): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        TypeOrmModule.forRoot(dataSourceOptions(config.databaseUrl, { poolSize: config.dbPoolSize, migrationsRun: config.migrationsRun })),
        RedisModule,
        LifecycleModule,
        EventsModule,
        MetricsModule,
        HealthModule,
        UsersModule,
        AuthModule,
        PostsModule,
        ProfilesModule,
        ChatModule,
        AccountsModule,
      ],
      providers: [
        {
          provide: APP_PIPE,
          useValue: createValidationPipe(),
        },
        { provide: APP_FILTER, useClass: HttpExceptionFilter },
        { provide: APP_GUARD, useClass: JwtAuthGuard },
      ],
    };
  }
}
