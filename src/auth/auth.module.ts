import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { sharedStore } from '../redis/redis.module.js';
import { UsersModule } from '../users/users.module.js';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { AuthSession } from './entities/auth-session.entity.js';
import { RefreshToken } from './entities/refresh-token.entity.js';
import { JwtStrategy } from './jwt.strategy.js';
import { LegacyTokensRepository } from './legacy-tokens.repository.js';
import { LegacyTokensService } from './legacy-tokens.service.js';
import { LoginThrottleService } from './throttle/login-throttle.service.js';
import { SessionsRepository } from './sessions.repository.js';
import { RedisThrottleStore } from './throttle/redis-throttle-store.js';
import { RegistrationThrottleGuard } from './throttle/registration-throttle.guard.js';
import { MemoryThrottleStore, THROTTLE_STORE, type ThrottleStore } from './throttle/throttle-store.js';
import { TokensService } from './tokens.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([AuthSession, RefreshToken]), UsersModule, PassportModule, JwtModule.register({})],
  controllers: [AuthController],
  providers: [
    RegistrationThrottleGuard,
    AuthService,
    TokensService,
    JwtStrategy,
    LegacyTokensService,
    LegacyTokensRepository,
    LoginThrottleService,
    SessionsRepository,
    sharedStore<ThrottleStore>(THROTTLE_STORE, 'throttle', (redis, prefix) => new RedisThrottleStore(redis, prefix), () => new MemoryThrottleStore()),
  ],
  // The registration guard is used on AccountsModule's routes, which resolve it and its store there.
  exports: [AuthService, TokensService, LegacyTokensService, LoginThrottleService, SessionsRepository, RegistrationThrottleGuard, THROTTLE_STORE],
})
export class AuthModule {}
