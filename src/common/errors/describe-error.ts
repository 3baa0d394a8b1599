import { HttpException } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import { QueryFailedError } from 'typeorm';
import { JSON_BODY_REFUSED } from '../http/json-body-checks.js';
import { ApiException, FieldValidationException } from './api-exceptions.js';

/**
 * The one description of an error, used by the HTTP exception filter (as a Django REST framework
 * body), the Socket.IO gateway (in `{ok: false, error}` acks) and the WebSocket rooms.
 */
export interface ErrorDescription {
  status: number;
  /** One human-readable sentence: the detail, or the first field problem. */
  message: string;
  /** DRF's error code (`not_found`, `token_not_valid`, …); absent for field errors. */
  code?: string;
  /** Field problems (`{"username": ["…"]}`), for 400s caused by input. */
  fields?: Record<string, string[]>;
  /** Further members of a detail body (SimpleJWT's `messages`). */
  extra?: Record<string, unknown>;
  headers?: Record<string, string>;
}

/** DRF's default codes by status, for errors that carry none of their own. */
const CODE_BY_STATUS: Record<number, string> = {
  400: 'invalid',
  401: 'not_authenticated',
  403: 'permission_denied',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  408: 'request_timeout',
  413: 'request_too_large',
  415: 'unsupported_media_type',
  429: 'throttled',
  431: 'request_header_fields_too_large',
  500: 'error',
  503: 'service_unavailable',
};

export function codeForStatus(status: number): string {
  return CODE_BY_STATUS[status] ?? (status >= 500 ? 'error' : 'invalid');
}

/** Errors of the `pg` driver and pool that mean "the database is unreachable", not "your input is wrong". */
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08006']);

export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: string }).code ?? (error as { driverError?: { code?: string } }).driverError?.code;
  if (code && UNAVAILABLE_CODES.has(code)) return true;
  return /timeout exceeded when trying to connect|Connection terminated|connect ECONNREFUSED|Client has encountered a connection error/i.test(error.message);
}

const detail = (status: number, message: string, code = codeForStatus(status)): ErrorDescription => ({ status, message, code });

/** Body-parser (express) errors, by their `type`; each carries a 4xx `status`. */
const BODY_PARSER_ERRORS: Record<string, ErrorDescription> = {
  'entity.parse.failed': detail(400, 'JSON parse error - malformed JSON in request body', 'parse_error'),
  'entity.too.large': detail(413, 'Request body is too large'),
  'encoding.unsupported': detail(415, 'Unsupported request body encoding'),
  'charset.unsupported': detail(415, 'Unsupported request body encoding'),
  'request.aborted': detail(400, 'Request aborted', 'parse_error'),
};


function describeBodyParserError(error: { type?: string; status?: number; message?: string }): ErrorDescription | null {
  // Our own `verify` refusals (json-body-checks.ts) say what was wrong, never quoting the client's bytes.
  if (error.type === JSON_BODY_REFUSED) return detail(400, `JSON parse error - ${error.message ?? 'refused'}`, 'parse_error');
  const known = error.type === undefined ? undefined : BODY_PARSER_ERRORS[error.type];
  if (known) return known;
  return typeof error.status === 'number' && error.status >= 400 && error.status < 500 ? detail(error.status, STATUS_CODES[error.status] ?? 'Bad request') : null;
}

export function describeError(error: unknown): ErrorDescription {
  if (error instanceof FieldValidationException) {
    return { status: 400, message: error.message, fields: error.fields };
  }
  if (error instanceof ApiException) {
    return { status: error.getStatus(), message: error.detail, code: error.code, extra: error.extra, headers: error.headers };
  }
  // Nest's Express adapter wraps body-parser errors in an HttpException (the original is its
  // `cause`) with the parser's own message, which quotes the client's bytes back ("Unexpected
  // token … is not valid JSON"); known ones get a message that says what is wrong instead.
  const cause = error instanceof HttpException ? (error.cause as { type?: unknown; message?: string } | undefined) : undefined;
  if (cause && typeof cause.type === 'string' && (BODY_PARSER_ERRORS[cause.type] || cause.type === JSON_BODY_REFUSED)) return describeBodyParserError(cause as { type: string })!;
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const body = error.getResponse();
    let message = error.message;
    if (typeof body === 'object' && body !== null && 'message' in body) {
      const raw = (body as { message: unknown }).message;
      message = Array.isArray(raw) ? raw.join('; ') : String(raw);
    }
    // Nest's router answers unknown routes with "Cannot GET /path"; Django says "Not found.".
    if (status === 404 && /^Cannot [A-Z]+ /.test(message)) message = 'Not found.';
    return detail(status, message);
  }
  if (error && typeof error === 'object' && 'type' in error) {
    const described = describeBodyParserError(error as { type?: string; status?: number; message?: string });
    if (described) return described;
  }
  if (isDatabaseUnavailable(error)) {
    return detail(503, 'Service temporarily unavailable, please retry shortly');
  }
  if (error instanceof QueryFailedError) {
    const code = (error.driverError as { code?: string } | undefined)?.code;
    // Input the validators let through but PostgreSQL refused (out-of-range numbers, bad encodings).
    if (code === '22003' || code === '22P02' || code === '22021' || code === '54000') {
      return detail(400, 'Invalid input.');
    }
  }
  return detail(500, 'A server error occurred.');
}

/** The HTTP body of an error: DRF's field map, or `{detail, code, …}`. Never internals. */
export function errorBody(described: ErrorDescription): Record<string, unknown> {
  if (described.fields) return described.fields;
  return { detail: described.message, code: described.code ?? codeForStatus(described.status), ...described.extra };
}
