import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { describeError, errorBody } from './describe-error.js';

/**
 * The only place that turns errors into HTTP responses: Django REST framework's bodies (see
 * {@link errorBody}), the request id in `X-Request-Id`, and never a stack trace or SQL in the body
 * (5xx details go to the log, with the request id).
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const ctx = host.switchToHttp();
    const request = ctx.getRequest<Request>();
    const response = ctx.getResponse<Response>();
    const described = describeError(exception);
    const requestId = String(request.id ?? '');

    if (described.status === 503) {
      // A dependency is down: one line each, not a stack trace per request during an outage.
      this.logger.warn(`${request.method} ${request.path} → 503 [${requestId}]: ${exception instanceof Error ? exception.message : String(exception)}`);
    } else if (described.status >= 500) {
      const detail = exception instanceof Error ? (exception.stack ?? exception.message) : String(exception);
      this.logger.error(`${request.method} ${request.path} failed [${requestId}]: ${detail}`);
    }
    if (response.headersSent) {
      // A streamed list failed half-way: the client must see a broken answer, not a short one.
      response.destroy();
      return;
    }
    for (const [name, value] of Object.entries(described.headers ?? {})) response.setHeader(name, value);
    response.status(described.status).json(errorBody(described));
  }
}
