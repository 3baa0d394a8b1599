import type { IncomingHttpHeaders } from 'node:http';

/** The access token of a real-time handshake: `auth.token`, `Authorization: Bearer`, or `?token=`. */
export function handshakeToken(source: { auth?: Record<string, unknown>; headers: IncomingHttpHeaders; query?: Record<string, unknown> }): string | null {
  const fromAuth = source.auth?.token;
  if (typeof fromAuth === 'string' && fromAuth) return fromAuth.replace(/^Bearer\s+/i, '');
  const header = source.headers.authorization;
  if (typeof header === 'string' && /^Bearer\s+\S+$/i.test(header)) return header.replace(/^Bearer\s+/i, '');
  const fromQuery = source.query?.token;
  if (typeof fromQuery === 'string' && fromQuery) return fromQuery;
  return null;
}
