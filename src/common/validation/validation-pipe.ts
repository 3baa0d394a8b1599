import { ValidationPipe } from '@nestjs/common';
import { FieldValidationException, validationErrorsToFields } from '../errors/api-exceptions.js';

/**
 * The one set of validation rules, for REST bodies and queries (the global pipe) and Socket.IO
 * payloads ({@link validatePayload}): unknown fields refused, the first problem per field, and
 * Nest's removal of `__proto__`/`constructor`/`prototype` keys before class-transformer sees
 * them (a nested `{"constructor": 1}` made it throw, which answered 500 on sockets).
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    stopAtFirstError: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new FieldValidationException(validationErrorsToFields(errors)),
  });
}
