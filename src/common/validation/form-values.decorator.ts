import { Transform } from 'class-transformer';
import { isFormBody } from '../http/form-bodies.js';

/** What DRF's IntegerField reads as an integer: `7`, `"7"`, `" 7 "`, `"7.0"`. Anything else stays as it is (and fails `@IsInt`). */
function integerOrAsIs(value: unknown): unknown {
  return typeof value === 'string' && value.length <= 1000 && /^\s*[-+]?\d+(\.0*)?\s*$/.test(value) ? Number(value) : value;
}

/** An integer field that also takes numeric strings, as DRF's IntegerField and primary keys do. */
export const AcceptsNumericString = () => Transform(({ value }) => integerOrAsIs(value));

/**
 * A list of integers (primary keys) that also takes numeric strings. A form sends one value of a
 * list as a plain string (`participants=2`), which DRF's `getlist` reads as a list of one; JSON
 * must send a list.
 */
export const IntegerList = () =>
  Transform(({ value, obj }) => {
    const list = typeof value === 'string' && isFormBody(obj) ? [value] : value;
    return Array.isArray(list) ? list.map(integerOrAsIs) : list;
  });
