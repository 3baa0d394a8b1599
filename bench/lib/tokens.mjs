import jwt from 'jsonwebtoken';
import { randomUUID } from 'node:crypto';

/** An access token as the app signs it (TokensService): HS256, iss, aud, typ, sid (a live session), jti. */
export function accessToken(env, userId, sessionId) {
  return jwt.sign({ typ: 'access', sid: sessionId }, env.JWT_SECRET, {
    algorithm: 'HS256',
    subject: String(userId),
    issuer: env.JWT_ISSUER ?? 'palaver',
    audience: env.JWT_AUDIENCE ?? 'palaver-api',
    expiresIn: 3600,
    jwtid: randomUUID(),
  });
}
