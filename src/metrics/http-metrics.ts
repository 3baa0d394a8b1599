import type { NextFunction, Request, Response } from 'express';
import type { Metrics } from './metrics.service.js';

/**
 * Times every HTTP request, labelled by its route template (`/api/conversations/:id`), never by
 * its path (ids would make a series per conversation); requests no route matched share
 * `unmatched`.
 */
export function httpMetrics(metrics: Metrics) {
  return (request: Request, response: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    response.once('finish', () => {
      const route = (request as Request & { route?: { path?: string } }).route?.path;
      const template = typeof route === 'string' ? `${request.baseUrl}${route}` : 'unmatched';
      metrics.httpRequest(request.method, template, response.statusCode, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };
}
