import type { AppConfig } from '../../config/app-config.js';

/** Any port on the loopback host names: web clients on their development servers. */
const LOOPBACK_ORIGIN = /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/;

/** The `origin` option of Express's and Socket.IO's CORS for the configured origins, or null for no CORS. */
export function allowedOrigins(config: Pick<AppConfig, 'corsOrigins'>): string | string[] | RegExp | null {
  if (config.corsOrigins === 'loopback') return LOOPBACK_ORIGIN;
  return config.corsOrigins;
}

/**
 * Whether a WebSocket or Socket.IO handshake from `origin` may proceed. Browsers send `Origin` and
 * CORS does not cover WebSockets, so when CORS_ORIGINS names the web apps, handshakes from other
 * sites are refused here; a client with no `Origin` (not a browser) is let through.
 */
export function originAllowed(config: Pick<AppConfig, 'corsOrigins'>, origin: string | undefined): boolean {
  const allowed = allowedOrigins(config);
  if (origin === undefined || allowed === null || allowed === '*') return true;
  if (allowed instanceof RegExp) return allowed.test(origin);
  return (Array.isArray(allowed) ? allowed : [allowed]).includes(origin);
}
