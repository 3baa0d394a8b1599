import { ArgumentMetadata, ValidationPipe } from '@nestjs/common';
import { FieldValidationException } from '../errors/api-exceptions.js';
import { pythonTypeName, validationErrorsToFields } from './drf-messages.js';

const PRIMITIVES = new Set<unknown>([String, Boolean, Number, Array, Object]);

/**
 * Django REST framework's rules for request bodies and queries: a body that is not an object is
 * `{"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}`, a missing body is
 * an empty one, and unknown body fields and query parameters (`?format=json`, `?_=…`) are ignored:
 * dropped before the DTO is built, so they can never be assigned (no mass assignment).
 */
class DrfValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' && metadata.metatype && !PRIMITIVES.has(metadata.metatype)) {
      if (value === undefined || value === null) value = {};
      else if (typeof value !== 'object' || Array.isArray(value) || Buffer.isBuffer(value)) {
        throw FieldValidationException.forField('non_field_errors', `Invalid data. Expected a dictionary, but got ${pythonTypeName(value)}.`);
      }
    }
    return super.transform(value, metadata);
  }
}

/**
 * The one set of validation rules, for REST bodies and queries (the global pipe) and Socket.IO
 * payloads ({@link validatePayload}): unknown fields stripped, the first problem per field in DRF's
 * words, and Nest's removal of `__proto__`/`constructor`/`prototype` keys before class-transformer
 * sees them (a nested `{"constructor": 1}` made it throw, which answered 500 on sockets).
 */
export function createValidationPipe(): ValidationPipe {
  return new DrfValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: false,
    forbidUnknownValues: true,
    stopAtFirstError: true,
    transform: true,
    validationError: { target: false, value: true },
    exceptionFactory: (errors) => new FieldValidationException(validationErrorsToFields(errors)),
  });
}
