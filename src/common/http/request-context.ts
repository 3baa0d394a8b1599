import { Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { randomUUID } from 'node:crypto';

declare module 'express-serve-static-core' {
  interface Request {
    /** Request id: the caller's `X-Request-Id` when it is sane, else a new UUID. */
    id?: string;
  }
}

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const logger = new Logger('HTTP');
const debugEnabled = () => Logger.isLevelEnabled('debug');

/**
 * Gives every request an id (echoed in `X-Request-Id`, the error body and the logs) and writes one
 * access-log line when the response finishes. The query string is left out of the log: it can
 * carry tokens (`?token=` on WebSocket upgrades).
 */
export function requestContext(request: Request, response: Response, next: NextFunction): void {
  const incoming = request.headers['x-request-id'];
  const id = typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
  request.id = id;
  response.setHeader('X-Request-Id', id);
  const started = process.hrtime.bigint();
  response.on('finish', () => {
    const failed = response.statusCode >= 500;
    if (!failed && !debugEnabled()) return; // the usual case: no line to build
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const line = `${request.method} ${request.path} ${response.statusCode} ${ms.toFixed(1)}ms [${id}]`;
    if (failed) logger.error(line);
    else logger.debug(line);
  });
  next();
}
