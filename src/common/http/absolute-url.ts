import type { Request, Response } from 'express';

/** The Express app setting that holds PUBLIC_URL. */
export const PUBLIC_URL_SETTING = 'palaver public url';

/**
 * The absolute URL of this request with some query parameters replaced (null removes one), for
 * pagination links. Express derives scheme and host from `X-Forwarded-Proto`/`X-Forwarded-Host`
 * only when the app trusts its proxy (TRUST_PROXY); otherwise from the connection and `Host`.
 */
export function absoluteUrl(request: Request, changes: Record<string, string | null>): string {
  // PUBLIC_URL, when set (configureApp stores it as an app setting), wins over anything the
  // request says: a `Host` header or an absolute-form request line is the client's to choose.
  const publicUrl = request.app.get(PUBLIC_URL_SETTING) as string | null | undefined;
  const requested = new URL(request.originalUrl, `${request.protocol}://${request.host || 'localhost'}`);
  const url = publicUrl ? new URL(`${publicUrl}${requested.pathname}${requested.search}`) : requested;
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) url.searchParams.delete(key);
    else url.searchParams.set(key, value);
  }
  return url.toString();
}

/** Sets `Link: <…>; rel="next"`: this request's URL with the next page's cursor parameters. */
export function setNextLink(request: Request, response: Response, cursor: Record<string, string>): void {
  response.setHeader('Link', `<${absoluteUrl(request, cursor)}>; rel="next"`);
}
