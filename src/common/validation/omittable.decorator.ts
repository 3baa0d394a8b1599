import { ValidateIf } from 'class-validator';

/**
 * A field that may be left out of a partial update, but not sent as `null`: the other validators
 * run on every value but `undefined`. (`@IsOptional()` also skips `null`, which an update would
 * then write into a NOT NULL column.)
 */
export function Omittable(): PropertyDecorator {
  return ValidateIf((_object: object, value: unknown) => value !== undefined);
}
