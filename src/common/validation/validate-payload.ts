import type { ClassConstructor } from 'class-transformer';
import { FieldValidationException } from '../errors/api-exceptions.js';
import { createValidationPipe } from './validation-pipe.js';

const pipe = createValidationPipe();

/**
 * Validates a socket payload with the REST rules (the same ValidationPipe configuration).
 * Throws {@link FieldValidationException}.
 */
export async function validatePayload<T extends object>(type: ClassConstructor<T>, payload: unknown): Promise<T> {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload) || Buffer.isBuffer(payload)) {
    throw new FieldValidationException({ payload: ['The payload must be a JSON object.'] });
  }
  try {
    return (await pipe.transform(payload, { type: 'body', metatype: type })) as T;
  } catch (error) {
    if (error instanceof FieldValidationException) throw error;
    // A validator that throws on odd input (validator.js's byte length on lone surrogates) refuses it.
    throw new FieldValidationException({ payload: ['The payload holds values that are not valid text.'] });
  }
}
