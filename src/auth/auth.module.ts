import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import { REDIS_CLIENT, type RedisClient } from '../redis/redis.module.js';
import { UsersModule } from '../users/users.module.js';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { AuthSession } from './entities/auth-session.entity.js';
import { RefreshToken } from './entities/refresh-token.entity.js';
import { JwtStrategy } from './jwt.strategy.js';
import { LoginThrottleService } from './throttle/login-throttle.service.js';
import { SessionsRepository } from './sessions.repository.js';
import { RedisThrottleStore } from './throttle/redis-throttle-store.js';
import { RegistrationThrottleGuard } from './throttle/registration-throttle.guard.js';
import { MemoryThrottleStore, THROTTLE_STORE } from './throttle/throttle-store.js';
import { TokensService } from './tokens.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([AuthSession, RefreshToken]), UsersModule, PassportModule, JwtModule.register({})],
  controllers: [AuthController],
  providers: [
    { provide: APP_GUARD, useClass: RegistrationThrottleGuard },
    AuthService,
    TokensService,
    JwtStrategy,
    LoginThrottleService,
    SessionsRepository,
    {
      provide: THROTTLE_STORE,
      inject: [APP_CONFIG, REDIS_CLIENT],
      // Shared counters when instances share Redis; otherwise per process.
      useFactory: (config: AppConfig, redis: RedisClient | null) =>
        config.redisUrl && redis ? new RedisThrottleStore(redis, `${config.redisKeyPrefix}:throttle:`) : new MemoryThrottleStore(),
    },
  ],
  exports: [AuthService, TokensService, LoginThrottleService, SessionsRepository],
})
export class AuthModule {}
