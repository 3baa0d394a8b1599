import { Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { randomUUID } from 'node:crypto';

declare module 'express-serve-static-core' {
  interface Request {
    /** Request id: the caller's `X-Request-Id` when it is sane, else a new UUID. */
    id?: string;
  }
}

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const logger = new Logger('HTTP');

/**
 * Gives every request an id (echoed in `X-Request-Id`, the error body and the logs). With
 * `LOG_LEVEL=debug` it also writes one access-log line when the response finishes; otherwise no
 * listener is attached (server errors are logged, with their id, by the exception filter). The
 * query string is left out of the log: it can carry tokens (`?token=` on WebSocket upgrades).
 * Called by the app's first middleware (`app.setup.ts`).
 */
export function assignRequestId(request: Request, response: Response): void {
  const incoming = request.headers['x-request-id'];
  const id = typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
  request.id = id;
  response.setHeader('X-Request-Id', id);
  if (Logger.isLevelEnabled('debug')) {
    const started = process.hrtime.bigint();
    response.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      logger.debug(`${request.method} ${request.path} ${response.statusCode} ${ms.toFixed(1)}ms [${id}]`);
    });
  }
}
