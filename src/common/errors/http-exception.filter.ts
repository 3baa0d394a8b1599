import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { STATUS_CODES } from 'node:http';
import { QueryFailedError } from 'typeorm';
import { ErrorResponseDto } from './error-response.dto.js';
import { FieldValidationException, TooManyRequestsException } from './api-exceptions.js';

/** Errors of the `pg` driver and pool that mean "the database is unreachable", not "your input is wrong". */
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08006']);

export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: string }).code ?? (error as { driverError?: { code?: string } }).driverError?.code;
  if (code && UNAVAILABLE_CODES.has(code)) return true;
  return /timeout exceeded when trying to connect|Connection terminated|connect ECONNREFUSED|Client has encountered a connection error/i.test(error.message);
}

interface ErrorDescription {
  status: number;
  message: string;
  fields?: Record<string, string[]>;
  retryAfterSeconds?: number;
}

/** Body-parser (express) errors, by their `type`; each carries a 4xx `status`. */
const BODY_PARSER_ERRORS: Record<string, ErrorDescription> = {
  'entity.parse.failed': { status: 400, message: 'Malformed JSON in request body' },
  'entity.too.large': { status: 413, message: 'Request body is too large' },
  'encoding.unsupported': { status: 415, message: 'Unsupported request body encoding' },
  'charset.unsupported': { status: 415, message: 'Unsupported request body encoding' },
  'request.aborted': { status: 400, message: 'Request aborted' },
};

function describeBodyParserError(error: { type?: string; status?: number }): ErrorDescription | null {
  const known = error.type === undefined ? undefined : BODY_PARSER_ERRORS[error.type];
  if (known) return known;
  return typeof error.status === 'number' && error.status >= 400 && error.status < 500
    ? { status: error.status, message: STATUS_CODES[error.status] ?? 'Bad request' }
    : null;
}

export function describeError(error: unknown): ErrorDescription {
  if (error instanceof FieldValidationException) {
    return { status: 400, message: error.message, fields: error.fields };
  }
  if (error instanceof TooManyRequestsException) {
    return { status: 429, message: error.message, retryAfterSeconds: error.retryAfterSeconds };
  }
  // Nest's Express adapter wraps body-parser errors in an HttpException (the original is its
  // `cause`) with the parser's own message, which quotes the client's bytes back ("Unexpected
  // token … is not valid JSON"); known ones get a message that says what is wrong instead.
  const cause = error instanceof HttpException ? (error.cause as { type?: unknown } | undefined) : undefined;
  if (cause && typeof cause.type === 'string' && BODY_PARSER_ERRORS[cause.type]) return BODY_PARSER_ERRORS[cause.type];
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const body = error.getResponse();
    let message = error.message;
    if (typeof body === 'object' && body !== null && 'message' in body) {
      const raw = (body as { message: unknown }).message;
      message = Array.isArray(raw) ? raw.join('; ') : String(raw);
    }
    return { status, message };
  }
  if (error && typeof error === 'object' && 'type' in error) {
    const described = describeBodyParserError(error as { type?: string; status?: number });
    if (described) return described;
  }
  if (isDatabaseUnavailable(error)) {
    return { status: 503, message: 'Service temporarily unavailable, please retry shortly' };
  }
  if (error instanceof QueryFailedError) {
    const code = (error.driverError as { code?: string } | undefined)?.code;
    // Input the validators let through but PostgreSQL refused (out-of-range numbers, bad encodings).
    if (code === '22003' || code === '22P02' || code === '22021' || code === '54000') {
      return { status: 400, message: 'Invalid input' };
    }
  }
  return { status: 500, message: 'Internal server error' };
}

/**
 * The only place that turns errors into HTTP responses: one body shape ({@link ErrorResponseDto}),
 * a request id, and never a stack trace or SQL in the body (5xx details go to the log).
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
      response.end();
      return;
    }
    if (described.retryAfterSeconds !== undefined) response.setHeader('Retry-After', String(described.retryAfterSeconds));
    const body: ErrorResponseDto = {
      statusCode: described.status,
      error: STATUS_CODES[described.status] ?? 'Error',
      message: described.message,
      ...(described.fields ? { fields: described.fields } : {}),
      requestId,
    };
    response.status(described.status).json(body);
  }
}
