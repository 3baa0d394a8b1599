import { BadRequestException, HttpException, HttpStatus } from '@nestjs/common';

/**
 * A 400 whose problems are attached to named input fields, answered as Django REST framework
 * does: `{"<field>": ["message", …]}`, with `non_field_errors` for problems of the whole body.
 */
export class FieldValidationException extends BadRequestException {
  constructor(readonly fields: Record<string, string[]>) {
    const [first] = Object.entries(fields);
    super(first ? first[1][0] : 'Invalid input.');
  }

  static forField(field: string, message: string): FieldValidationException {
    return new FieldValidationException({ [field]: [message] });
  }
}

/**
 * Any other error as `{"detail": "…", "code": "…"}` (DRF's and SimpleJWT's shape), with optional
 * extra members (SimpleJWT's `messages`) and response headers.
 */
export class ApiException extends HttpException {
  constructor(
    status: number,
    readonly detail: string,
    readonly code: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail, status);
  }
}

/** 429 carrying how long the client should wait (sent as `Retry-After`), worded as DRF's throttles. */
export class TooManyRequestsException extends ApiException {
  constructor(readonly retryAfterSeconds: number) {
    super(HttpStatus.TOO_MANY_REQUESTS, `Request was throttled. Expected available in ${retryAfterSeconds} second${retryAfterSeconds === 1 ? '' : 's'}.`, 'throttled', {}, {
      'Retry-After': String(retryAfterSeconds),
    });
  }
}
