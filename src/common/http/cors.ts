import type { AppConfig } from '../../config/app-config.js';

/** Any port on the loopback host names: web clients on their development servers. */
const LOOPBACK_ORIGIN = /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/;

/** The `origin` option of Express's and Socket.IO's CORS for the configured origins, or null for no CORS. */
export function allowedOrigins(config: Pick<AppConfig, 'corsOrigins'>): string | string[] | RegExp | null {
  if (config.corsOrigins === 'loopback') return LOOPBACK_ORIGIN;
  return config.corsOrigins;
}
