import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { createHash, createSecretKey, randomUUID, type KeyObject } from 'node:crypto';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';

export type TokenType = 'access' | 'refresh';

/**
 * Which route family issued a session, and so its token lifetimes: `api` (`/login/`,
 * `/api/token/`: short) or `accounts` (`/accounts/api/token/`, `/accounts/api/users/`: the
 * original's 30 and 60 days). Refreshing keeps the family.
 */
export type TokenProfile = 'api' | 'accounts';

export interface TokenClaims {
  sub: string;
  typ: TokenType;
  /** SimpleJWT's claims, which clients of the originals decode: the user id and the token type. */
  user_id: number;
  token_type: TokenType;
  /** Auth session (refresh-token family) the token belongs to. */
  sid: string;
  jti: string;
  iat: number;
  exp: number;
  iss: string;
  aud: string;
}

export class InvalidTokenError extends Error {}

/**
 * Signs and checks JWTs (RFC 8725): HS256 only, `iss`, `aud` and `exp` always checked, and a
 * `typ` claim so an access token is never taken as a refresh token or the other way round.
 */
@Injectable()
export class TokensService {
  /** The verification options, shared with the passport strategy so both paths check alike. */
  readonly verifyOptions: { algorithms: ['HS256']; issuer: string; audience: string; clockTolerance: number };

  constructor(
    private readonly jwt: JwtService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.verifyOptions = { algorithms: ['HS256'], issuer: config.jwt.issuer, audience: config.jwt.audience, clockTolerance: 5 };
    this.key = createSecretKey(Buffer.from(config.jwt.secret, 'utf8')) satisfies KeyObject as unknown as Buffer;
  }

  /**
   * The HS256 key as a KeyObject, made once. Given a string, jsonwebtoken 9 first tries to parse
   * it as a PEM public key (and throws) on every sign and verify (docs/performance.md). Typed as Buffer because @nestjs/jwt's and
   * passport-jwt's option types predate KeyObject; jsonwebtoken itself takes it.
   */
  readonly key: Buffer;

  sign(type: TokenType, userId: number, sessionId: string, profile: TokenProfile = 'api', jti: string = randomUUID()): { token: string; jti: string; expiresAt: Date } {
    const { jwt } = this.config;
    const ttl =
      profile === 'accounts'
        ? type === 'access'
          ? jwt.accountsAccessTtlSeconds
          : jwt.accountsRefreshTtlSeconds
        : type === 'access'
          ? jwt.accessTtlSeconds
          : jwt.refreshTtlSeconds;
    const token = this.jwt.sign(
      { typ: type, token_type: type, user_id: userId, sid: sessionId },
      {
        algorithm: 'HS256',
        secret: this.key,
        subject: String(userId),
        issuer: this.config.jwt.issuer,
        audience: this.config.jwt.audience,
        expiresIn: ttl,
        jwtid: jti,
      },
    );
    return { token, jti, expiresAt: new Date(Date.now() + ttl * 1000) };
  }

  /** Verifies signature, algorithm, issuer, audience, expiry and type; throws {@link InvalidTokenError}. */
  verify(token: string, expected: TokenType | 'any'): TokenClaims & { userId: number } {
    let claims: TokenClaims;
    try {
      if (hasCriticalHeader(token)) throw new Error('crit');
      claims = this.jwt.verify<TokenClaims>(token, { ...this.verifyOptions, secret: this.key });
    } catch (error) {
      const expired = error instanceof Error && error.name === 'TokenExpiredError';
      throw new InvalidTokenError(expired ? 'Token is expired' : 'Token is invalid or expired');
    }
    return { ...claims, userId: this.checkClaims(claims, expected) };
  }

  /** Checks the claims a valid signature does not: type, subject, session. Returns the user id. */
  checkClaims(claims: Partial<TokenClaims>, expected: TokenType | 'any'): number {
    const typeOk = expected === 'any' ? claims.typ === 'access' || claims.typ === 'refresh' : claims.typ === expected;
    if (!typeOk) throw new InvalidTokenError('Token has wrong type');
    // Decimal digits only: Number() also reads "0x10" (16), " 7", "1e1" (10).
    const userId = typeof claims.sub === 'string' && /^[1-9][0-9]{0,9}$/.test(claims.sub) ? Number(claims.sub) : NaN;
    // jsonwebtoken checks `exp` only when there is one: a token without it would never expire.
    if (!Number.isSafeInteger(userId) || typeof claims.exp !== 'number' || typeof claims.sid !== 'string' || typeof claims.jti !== 'string') {
      throw new InvalidTokenError('Token is invalid or expired');
    }
    return userId;
  }

  static hash(token: string): Buffer {
    return createHash('sha256').update(token).digest();
  }
}

/**
 * RFC 7515 §4.1.11: a `crit` header names extensions the recipient must understand or refuse the
 * token. We understand none, and jsonwebtoken ignores `crit`, so any token carrying one is refused.
 */
export function hasCriticalHeader(token: string): boolean {
  const header = token.split('.', 1)[0];
  try {
    const parsed = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as unknown;
    return typeof parsed === 'object' && parsed !== null && 'crit' in parsed;
  } catch {
    return false; // not a JWT at all: verification refuses it
  }
}
