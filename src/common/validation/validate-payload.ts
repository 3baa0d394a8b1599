import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validate } from 'class-validator';
import { FieldValidationException, validationErrorsToFields } from '../errors/api-exceptions.js';

/**
 * Validates a socket payload with the same rules as the REST ValidationPipe (whitelist, unknown
 * fields refused, first error per field). Throws {@link FieldValidationException}.
 */
export async function validatePayload<T extends object>(type: ClassConstructor<T>, payload: unknown): Promise<T> {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new FieldValidationException({ payload: ['The payload must be a JSON object.'] });
  }
  const instance = plainToInstance(type, payload);
  // A validator that throws on odd input (validator.js's byte length on lone surrogates) refuses it.
  const errors = await validate(instance, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true, stopAtFirstError: true }).catch(() => {
    throw new FieldValidationException({ payload: ['The payload holds values that are not valid text.'] });
  });
  if (errors.length) throw new FieldValidationException(validationErrorsToFields(errors));
  return instance;
}
