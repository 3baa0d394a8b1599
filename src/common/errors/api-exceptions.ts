import { BadRequestException, HttpException, HttpStatus } from '@nestjs/common';
import type { ValidationError } from 'class-validator';

/** A 400 whose problems are attached to named input fields. */
export class FieldValidationException extends BadRequestException {
  constructor(readonly fields: Record<string, string[]>) {
    const [first] = Object.entries(fields);
    super(first ? `${first[0]}: ${first[1][0]}` : 'Invalid input');
  }

  static forField(field: string, message: string): FieldValidationException {
    return new FieldValidationException({ [field]: [message] });
  }
}

/** 429 carrying how long the client should wait (sent as `Retry-After`). */
export class TooManyRequestsException extends HttpException {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message, HttpStatus.TOO_MANY_REQUESTS);
  }
}

/** 503 when a dependency (database, Redis) is unreachable: the client may retry. */
export class DependencyUnavailableException extends HttpException {
  constructor(message = 'Service temporarily unavailable, please retry shortly') {
    super(message, HttpStatus.SERVICE_UNAVAILABLE);
  }
}

/** Flattens class-validator errors into `{ "a.b": ["message"] }`. */
export function validationErrorsToFields(errors: ValidationError[], parent = ''): Record<string, string[]> {
  const fields: Record<string, string[]> = {};
  for (const error of errors) {
    const path = parent ? `${parent}.${error.property}` : error.property;
    if (error.constraints) {
      // whitelist errors read "property x should not exist"; say it plainly.
      fields[path] = Object.entries(error.constraints).map(([rule, text]) =>
        rule === 'whitelistValidation' ? 'This field is not allowed.' : text,
      );
    }
    if (error.children?.length) Object.assign(fields, validationErrorsToFields(error.children, path));
  }
  return fields;
}
