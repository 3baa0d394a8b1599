import type { Request } from 'express';

/**
 * The absolute URL of this request with some query parameters replaced (null removes one), for
 * pagination links. Scheme and host come from `X-Forwarded-Proto`/`X-Forwarded-Host` only when
 * the app trusts its proxy (TRUST_PROXY), through Express's `req.protocol` and `req.host`.
 */
export function absoluteUrl(request: Request, changes: Record<string, string | null>): string {
  const url = new URL(request.originalUrl, `${request.protocol}://${request.get('host') ?? 'localhost'}`);
  if (request.app.get('trust proxy')) {
    const forwardedHost = request.get('x-forwarded-host')?.split(',')[0]?.trim();
    if (forwardedHost) url.host = forwardedHost;
  }
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) url.searchParams.delete(key);
    else url.searchParams.set(key, value);
  }
  return url.toString();
}
