import type { NextFunction, Request, Response } from 'express';
import multer from 'multer';
import { errorBody } from '../errors/describe-error.js';

const FORM_BODY = Symbol('palaver.formBody');

/** Whether a parsed body came from a form (urlencoded or multipart), where every value is text. */
export function isFormBody(body: unknown): boolean {
  return typeof body === 'object' && body !== null && (body as Record<symbol, unknown>)[FORM_BODY] === true;
}

function markForm(body: unknown): void {
  if (typeof body === 'object' && body !== null) Object.defineProperty(body, FORM_BODY, { value: true, enumerable: false });
}

/** Media types a write route reads, as Django REST framework's default parsers. */
const READABLE = /^(application\/(json|[\w.+-]+\+json|x-www-form-urlencoded)|multipart\/form-data)$/;

function hasBody(request: Request): boolean {
  return request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0;
}

/**
 * Django REST framework's parsers on every write route: JSON (parsed before this), form-urlencoded
 * (parsed before this, marked here) and multipart forms (parsed here; file parts are dropped on
 * routes that take no file). A body of any other media type is 415, as DRF answers it. The routes
 * in `fileRoutes` parse their own multipart bodies (multer's FileInterceptor).
 */
export function formBodies(options: { limitBytes: number; fileRoutes: RegExp[] }) {
  const multipart = multer({ storage: multer.memoryStorage(), limits: { fieldSize: options.limitBytes, fileSize: options.limitBytes, files: 10, fields: 1000, parts: 1010 } }).any();
  const refuse = (response: Response, status: number, message: string, code: string) =>
    void response.status(status).json(errorBody({ status, message, code }));

  return (request: Request, response: Response, next: NextFunction): void => {
    if (!['POST', 'PUT', 'PATCH'].includes(request.method) || !hasBody(request)) return next();
    const type = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (type === 'application/x-www-form-urlencoded') {
      markForm(request.body);
      return next();
    }
    if (type === 'multipart/form-data') {
      if (options.fileRoutes.some((route) => route.test(request.path))) return next();
      multipart(request, response, (error?: unknown) => {
        if (error) {
          if (String((error as { code?: unknown }).code ?? '').startsWith('LIMIT_')) return refuse(response, 413, 'Request body is too large', 'request_too_large');
          return refuse(response, 400, 'Multipart form parse error - the body is not a valid multipart form', 'parse_error');
        }
        delete (request as Request & { files?: unknown }).files;
        markForm(request.body);
        next();
      });
      return;
    }
    if (!READABLE.test(type)) {
      return refuse(response, 415, `Unsupported media type "${type || 'none'}" in request.`, 'unsupported_media_type');
    }
    next();
  };
}
