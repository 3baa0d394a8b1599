import fc from 'fast-check';

/**
 * Hostile values for the fuzz tests (HTTP and real-time): wrong types, huge strings, deep
 * nesting, unicode edge cases, NUL bytes, prototype-pollution keys, SQL and NoSQL injection
 * shapes, numbers past 2^53. Bodies are serialised by hand so that they can carry what
 * JSON.stringify cannot: own `__proto__` keys, duplicate keys, integers past 2^53 as literal digits.
 */
export class Literal {
  constructor(readonly text: string) {}
}
export type Value = null | boolean | number | string | Literal | Value[] | Map<string, Value>;

export function serialise(value: Value): string {
  if (value instanceof Literal) return value.text;
  if (value instanceof Map) return `{${[...value].map(([k, v]) => `${JSON.stringify(k)}:${serialise(v)}`).join(',')}}`;
  if (Array.isArray(value)) return `[${value.map(serialise).join(',')}]`;
  return JSON.stringify(value) ?? 'null';
}

/** Text a query string or path segment carries: the value as a string, or raw text to paste. */
export function asText(value: Value): string {
  if (value instanceof Literal) return value.text;
  if (value instanceof Map || Array.isArray(value)) return serialise(value);
  return String(value);
}

export const INJECTION = [
  "' OR '1'='1",
  "1' OR 1=1 --",
  '1; DROP TABLE users; --',
  "'; SELECT pg_sleep(5); --",
  '1 UNION SELECT password_hash FROM users',
  '$where',
  '{"$gt": ""}',
  '{"$ne": null}',
  '__proto__',
  'constructor',
  'prototype',
  '../../../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '<script>alert(1)</script>',
  '${jndi:ldap://127.0.0.1/x}',
  '{{7*7}}',
  '%00',
  '\u0000',
  'a\u0000b',
  '\u202e\u0644\u0627',
  '\ud800',
  '\udfff\ud800',
  '\uffff\ufffe',
  '\u00e9\u0301'.repeat(20),
  '👩‍👩‍👧‍👦'.repeat(10),
  '\r\nSet-Cookie: x=1',
  ' ',
  '',
  'NaN',
  'Infinity',
  '-0',
  '1e309',
  '0x10',
  'true',
  'null',
  '[]',
  '{}',
];
const BIG_NUMBERS = ['9007199254740993', '-9007199254740993', '123456789012345678901234567890', '1e400', '-1e400', '0.1e-400', '1E2', '00012'];

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...INJECTION) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.integer({ min: 150, max: 20_000 }).map((n) => 'ä'.repeat(n)) },
);
export const hostileNumber: fc.Arbitrary<Value> = fc.oneof(
  fc.constantFrom<Value>(0, -1, -0, 1.5, 2 ** 31, 2 ** 31 - 1, -(2 ** 31), 2 ** 53, Number.MAX_SAFE_INTEGER, Number.MAX_VALUE, Number.MIN_VALUE),
  fc.constantFrom(...BIG_NUMBERS).map((text) => new Literal(text)),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);
export const hostileKey = fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', '$gt', '$where', 'toString', 'hasOwnProperty', ''), fc.string({ maxLength: 12 }));

function nested(depth: number, leaf: Value): Value {
  let value = leaf;
  for (let i = 0; i < depth; i += 1) value = i % 2 ? [value] : new Map([['a', value]]);
  return value;
}

export const { hostile } = fc.letrec<{ hostile: Value }>((tie) => ({
  hostile: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileString,
    hostileNumber,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('hostile'), { maxLength: 4 }),
    fc.array(fc.tuple(hostileKey, tie('hostile')), { maxLength: 4 }).map((entries) => new Map(entries)),
    fc.tuple(fc.integer({ min: 1, max: 40 }), fc.constantFrom<Value>(1, 'x', null)).map(([depth, leaf]) => nested(depth, leaf)),
    fc.constant(new Map<string, Value>([['__proto__', new Map([['polluted', true]])]])),
  ),
}));

/** At most 300 characters (a URL's share of the fuzzer's long strings). */
export function clipped(text: string): string {
  return text.length > 300 ? text.slice(0, 300) : text;
}

/** Long values (the fuzzer sends 20,000-character strings) shortened for reports. */
export function clip(text: string, max = 200): string {
  return text.length <= max ? text : `${text.slice(0, max)}…(${text.length} chars)`;
}

/** What an answer must never contain: stack frames, driver or SQL text, internal class names. */
export const LEAKS = [
  /\n\s+at \S+ \(/,
  /\bat (async )?\w+ \(\/?[\w/.-]+:\d+:\d+\)/,
  /QueryFailedError|EntityNotFound|TypeORMError|DriverError/,
  /syntax error at or near|violates (foreign key|unique|check|not-null) constraint|invalid input syntax for/i,
  /\b(SELECT|INSERT INTO|UPDATE|DELETE FROM)\b[^"]*\b(FROM|VALUES|SET|WHERE)\b/,
  /\b(TypeError|ReferenceError|RangeError|SyntaxError): /,
  /node_modules|\/src\/|\.ts:\d+/,
];
