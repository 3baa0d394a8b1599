import type { ValidationError } from 'class-validator';
import { isDbId } from './ids.js';

/** Python's name for the type of a JSON value, as DRF's messages say it. */
export function pythonTypeName(value: unknown): string {
  if (value === null || value === undefined) return 'NoneType';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'string') return 'str';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  return 'dict';
}

/** The value a message is about: with `each`, class-validator passes the whole list, so the first bad item. */
const offending = (value: unknown, bad: (item: unknown) => boolean) => (Array.isArray(value) ? value.find(bad) : value);

/** DRF's primary-key messages, as class-validator options: a value of the wrong type, and a key that matches nothing (out of range here). */
export const PK_TYPE = { message: ({ value }: { value: unknown }) => `Incorrect type. Expected pk value, received ${pythonTypeName(offending(value, (v) => !Number.isInteger(v)))}.` };
export const PK_MISSING = { message: ({ value }: { value: unknown }) => `Invalid pk "${String(offending(value, (v) => !isDbId(v)))}" - object does not exist.` };

const number = (message: string) => /(-?\d+(?:\.\d+)?)/.exec(message)?.[1] ?? '';
const lastNumber = (message: string) => [...message.matchAll(/-?\d+(?:\.\d+)?/g)].at(-1)?.[0] ?? '';

/** Rules that only apply to text: a value of another type fails them as "Not a valid string.", as DRF's CharField says first. */
const TEXT_RULES = new Set(['isLength', 'minLength', 'maxLength', 'matches', 'isEmail', 'isUrl']);

/**
 * Django REST framework's wording for a failed class-validator constraint. Messages written in a
 * DTO (a `message:` option) are kept; class-validator's defaults ("x must be a string") become
 * what DRF says for the same problem ("Not a valid string.").
 */
function drfMessage(rule: string, text: string, value: unknown, property: string): string {
  if (TEXT_RULES.has(rule) && typeof value !== 'string') return 'Not a valid string.';
  const isDefault = text.startsWith(`${property} must`) || text.startsWith('each value in ');
  if (!isDefault) return text;
  switch (rule) {
    case 'isString':
      return 'Not a valid string.';
    case 'isInt':
    case 'isNumber':
      return 'A valid integer is required.';
    case 'isBoolean':
      return 'Must be a valid boolean.';
    case 'min':
      return `Ensure this value is greater than or equal to ${number(text)}.`;
    case 'max':
      return `Ensure this value is less than or equal to ${number(text)}.`;
    case 'maxLength':
      return `Ensure this field has no more than ${number(text)} characters.`;
    case 'minLength':
      return value === '' ? 'This field may not be blank.' : `Ensure this field has at least ${number(text)} characters.`;
    case 'isLength':
      if (/shorter/.test(text)) return `Ensure this field has no more than ${lastNumber(text)} characters.`;
      return value === '' ? 'This field may not be blank.' : `Ensure this field has at least ${number(text)} characters.`;
    case 'isArray':
      return `Expected a list of items but got type "${pythonTypeName(value)}".`;
    case 'arrayMinSize':
      return number(text) === '1' ? 'This list may not be empty.' : `Ensure this field has at least ${number(text)} elements.`;
    case 'arrayMaxSize':
      return `Ensure this field has no more than ${number(text)} elements.`;
    case 'isEmail':
      return 'Enter a valid email address.';
    case 'isUrl':
      return 'Enter a valid URL.';
    case 'isIn':
      return `"${String(value)}" is not a valid choice.`;
    case 'matches':
      return 'This value does not match the required pattern.';
    default:
      return text;
  }
}

/**
 * Flattens class-validator errors into DRF's `{"field": ["message"]}` (dotted paths for nested
 * fields). A field left out is "This field is required.", a `null` "This field may not be null.",
 * whatever rule failed first.
 */
export function validationErrorsToFields(errors: ValidationError[], parent = ''): Record<string, string[]> {
  const fields: Record<string, string[]> = {};
  for (const error of errors) {
    const path = parent ? `${parent}.${error.property}` : error.property;
    if (error.constraints) {
      const entries = Object.entries(error.constraints);
      if (error.value === undefined) fields[path] = ['This field is required.'];
      else if (error.value === null) fields[path] = ['This field may not be null.'];
      else fields[path] = entries.map(([rule, text]) => drfMessage(rule, text, error.value, error.property));
    }
    if (error.children?.length) Object.assign(fields, validationErrorsToFields(error.children, path));
  }
  return fields;
}
