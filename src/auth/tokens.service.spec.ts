import { describe, expect, it } from '@jest/globals';
import { JwtService } from '@nestjs/jwt';
import jwt from 'jsonwebtoken';
import { loadConfig } from '../config/app-config.js';
import { InvalidTokenError, TokensService } from './tokens.service.js';

const SECRET = 'unit-test-secret-0123456789-abcdefghijklmnopqrstuvwxyz';
const config = loadConfig({ DATA_DIR: 'memory', JWT_SECRET: SECRET });
const tokens = new TokensService(new JwtService(), config);

function forge(payload: Record<string, unknown>, options: jwt.SignOptions = {}, secret = SECRET): string {
  return jwt.sign(payload, secret, { algorithm: 'HS256', issuer: 'palaver', audience: 'palaver-api', expiresIn: 60, jwtid: 'j1', subject: '7', ...options });
}

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe('TokensService', () => {
  it('signs access and refresh tokens that verify only as their own type', () => {
    const access = tokens.sign('access', 7, 's1').token;
    const refresh = tokens.sign('refresh', 7, 's1').token;
    expect(tokens.verify(access, 'access')).toMatchObject({ userId: 7, sid: 's1', typ: 'access', iss: 'palaver', aud: 'palaver-api' });
    expect(tokens.verify(refresh, 'refresh')).toMatchObject({ userId: 7, typ: 'refresh' });
    expect(() => tokens.verify(refresh, 'access')).toThrow('Token has wrong type');
    expect(() => tokens.verify(access, 'refresh')).toThrow('Token has wrong type');
    expect(tokens.verify(refresh, 'any')).toMatchObject({ typ: 'refresh' });
  });

  it("carries SimpleJWT's user_id and token_type claims, which clients of the originals decode", () => {
    const access = tokens.verify(tokens.sign('access', 7, 's1').token, 'access');
    expect(access).toMatchObject({ user_id: 7, token_type: 'access', sub: '7' });
    expect(tokens.verify(tokens.sign('refresh', 7, 's1').token, 'refresh')).toMatchObject({ user_id: 7, token_type: 'refresh' });
  });

  it('gives tokens of the /accounts/ family the original 30 and 60 days', () => {
    const access = tokens.verify(tokens.sign('access', 1, 's', 'accounts').token, 'access');
    const refresh = tokens.verify(tokens.sign('refresh', 1, 's', 'accounts').token, 'refresh');
    expect(access.exp - access.iat).toBe(30 * 86400);
    expect(refresh.exp - refresh.iat).toBe(60 * 86400);
  });

  it('gives lifetimes from the configuration', () => {
    const { token } = tokens.sign('access', 1, 's');
    const claims = tokens.verify(token, 'access');
    expect(claims.exp - claims.iat).toBe(900);
  });

  it('refuses alg none', () => {
    const unsigned = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ sub: '7', typ: 'access', sid: 's', jti: 'j', iss: 'palaver', aud: 'palaver-api', exp: Math.floor(Date.now() / 1000) + 60 })}.`;
    expect(() => tokens.verify(unsigned, 'access')).toThrow(InvalidTokenError);
  });

  it('refuses another algorithm even with the right key (HS512)', () => {
    const token = forge({ typ: 'access', sid: 's' }, { algorithm: 'HS512' });
    expect(() => tokens.verify(token, 'access')).toThrow('Token is invalid or expired');
  });

  it('refuses a token signed with another key', () => {
    expect(() => tokens.verify(forge({ typ: 'access', sid: 's' }, {}, 'another-secret-another-secret-another-secret'), 'access')).toThrow('Token is invalid or expired');
  });

  it('refuses an expired token, saying so', () => {
    const token = forge({ typ: 'access', sid: 's' }, { expiresIn: -60 });
    expect(() => tokens.verify(token, 'access')).toThrow('Token is expired');
  });

  it('refuses a wrong audience or issuer', () => {
    expect(() => tokens.verify(forge({ typ: 'access', sid: 's' }, { audience: 'other-api' }), 'access')).toThrow(InvalidTokenError);
    expect(() => tokens.verify(forge({ typ: 'access', sid: 's' }, { issuer: 'someone-else' }), 'access')).toThrow(InvalidTokenError);
  });

  it('refuses a tampered payload', () => {
    const [header, , signature] = tokens.sign('access', 7, 's1').token.split('.');
    const tampered = `${header}.${base64url({ sub: '1', typ: 'access', sid: 's1', jti: 'x', iss: 'palaver', aud: 'palaver-api', exp: 9999999999 })}.${signature}`;
    expect(() => tokens.verify(tampered, 'access')).toThrow('Token is invalid or expired');
  });

  it('refuses tokens without a usable subject or session', () => {
    expect(() => tokens.verify(forge({ typ: 'access', sid: 's' }, { subject: 'admin' }), 'access')).toThrow('Token is invalid or expired');
    expect(() => tokens.verify(forge({ typ: 'access' }), 'access')).toThrow('Token is invalid or expired');
  });

  it('refuses a crit header, a missing exp and a subject that is not plain digits (review finding 14)', () => {
    const withCrit = jwt.sign({ typ: 'access', sid: 's' }, SECRET, { algorithm: 'HS256', issuer: 'palaver', audience: 'palaver-api', expiresIn: 60, jwtid: 'j', subject: '7', header: { alg: 'HS256', crit: ['b64'], b64: true } as unknown as jwt.JwtHeader });
    expect(() => tokens.verify(withCrit, 'access')).toThrow(InvalidTokenError);
    const noExp = jwt.sign({ typ: 'access', sid: 's' }, SECRET, { algorithm: 'HS256', issuer: 'palaver', audience: 'palaver-api', jwtid: 'j', subject: '7' });
    expect(() => tokens.verify(noExp, 'access')).toThrow('Token is invalid or expired');
    for (const subject of ['0x10', ' 7', '1e1', '007', '7.0']) expect(() => tokens.verify(forge({ typ: 'access', sid: 's' }, { subject }), 'access')).toThrow(InvalidTokenError);
    expect(tokens.verify(forge({ typ: 'access', sid: 's' }, { subject: '16' }), 'access').userId).toBe(16);
  });

  it('hashes tokens for storage', () => {
    expect(TokensService.hash('a')).toHaveLength(32);
    expect(TokensService.hash('a').equals(TokensService.hash('b'))).toBe(false);
  });
});
