import type { Request } from 'express';

/**
 * The absolute URL of this request with some query parameters replaced (null removes one), for
 * pagination links. Express derives scheme and host from `X-Forwarded-Proto`/`X-Forwarded-Host`
 * only when the app trusts its proxy (TRUST_PROXY); otherwise from the connection and `Host`.
 */
export function absoluteUrl(request: Request, changes: Record<string, string | null>): string {
  const url = new URL(request.originalUrl, `${request.protocol}://${request.host || 'localhost'}`);
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) url.searchParams.delete(key);
    else url.searchParams.set(key, value);
  }
  return url.toString();
}
