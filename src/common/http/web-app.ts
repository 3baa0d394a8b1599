import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Where the reference web client (examples/web) is served. */
export const WEB_APP_PATH = '/app';

/** Whether `dir` holds a build of the web client. */
export function webAppBuilt(dir: string | null): dir is string {
  return dir !== null && existsSync(join(dir, 'index.html'));
}

/**
 * Serves the reference web client's build at /app/ when `dir` holds one (`npm run build
 * --workspaces` makes it): its hashed assets cached for a year, its page revalidated, and every
 * other path under /app/ answered with the page (the app routes by itself). Returns whether it did.
 */
export function serveWebApp(app: NestExpressApplication, dir: string | null): boolean {
  if (!webAppBuilt(dir)) return false;
  const index = join(dir, 'index.html');
  app.useStaticAssets(dir, {
    prefix: `${WEB_APP_PATH}/`,
    index: false,
    redirect: false,
    setHeaders: (response, file) => {
      response.setHeader('Cache-Control', file.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  app.use(WEB_APP_PATH, (request: Request, response: Response, next: NextFunction) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return next();
    if (request.originalUrl === WEB_APP_PATH) return response.redirect(301, `${WEB_APP_PATH}/`);
    // A missing asset is a 404, not the page.
    if (request.path.startsWith('/assets/')) return next();
    response.setHeader('Cache-Control', 'no-cache');
    response.sendFile(index);
  });
  return true;
}
