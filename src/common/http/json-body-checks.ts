/** Deepest nesting of arrays and objects accepted in a JSON body; no route needs more than 4. */
export const MAX_JSON_DEPTH = 32;

/**
 * Thrown from body-parser's `verify` with a 400 status; Nest's Express adapter turns it into an
 * HttpException with this message, which the exception filter answers as it is.
 */
export const JSON_BODY_REFUSED = 'entity.verify.refused';

export class JsonBodyRefusedError extends Error {
  readonly status = 400;
  readonly type = JSON_BODY_REFUSED;
}

const UNPAIRED_SURROGATE = 'JSON in request body contains an unpaired surrogate (\\ud800-\\udfff), which is not Unicode text';

const HEX: Record<number, number> = {};
for (let i = 0; i < 16; i++) {
  HEX['0123456789abcdef'.charCodeAt(i)] = i;
  HEX['0123456789ABCDEF'.charCodeAt(i)] = i;
}

/** The code unit of the `\uXXXX` escape starting at `at` (the backslash), or -1. */
function escapedUnit(body: Buffer, at: number): number {
  if (body[at] !== 0x5c || body[at + 1] !== 0x75 /* u */) return -1;
  let unit = 0;
  for (let k = at + 2; k < at + 6; k++) {
    const digit = HEX[body[k]];
    if (digit === undefined) return -1;
    unit = unit * 16 + digit;
  }
  return unit;
}

/**
 * body-parser `verify` hook: one pass over the raw bytes, before parsing, that refuses
 * - bodies nested deeper than {@link MAX_JSON_DEPTH}. Validation (class-transformer) walks bodies
 *   recursively, so a few thousand levels of `[[[…]]]` overflowed its stack and answered 500.
 * - strings with an unpaired surrogate escape (`"\ud800"`): not Unicode, so not storable as
 *   text, and validator.js's byte-length check (behind `@IsEmail`) throws on them, which
 *   answered 500. Raw UTF-8 cannot carry one (invalid bytes decode to U+FFFD); only escapes can.
 */
export function verifyJsonBody(_request: unknown, _response: unknown, body: Buffer): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i];
    if (inString) {
      if (byte === 0x5c /* \ */) {
        const unit = escapedUnit(body, i);
        if (unit >= 0xd800 && unit <= 0xdbff) {
          const low = escapedUnit(body, i + 6);
          if (low < 0xdc00 || low > 0xdfff) throw new JsonBodyRefusedError(UNPAIRED_SURROGATE);
          i += 11;
        } else if (unit >= 0xdc00 && unit <= 0xdfff) {
          throw new JsonBodyRefusedError(UNPAIRED_SURROGATE);
        } else i++;
      } else if (byte === 0x22 /* " */) inString = false;
    } else if (byte === 0x22) inString = true;
    else if (byte === 0x5b /* [ */ || byte === 0x7b /* { */) {
      if (++depth > MAX_JSON_DEPTH) throw new JsonBodyRefusedError(`JSON in request body is nested too deeply (at most ${MAX_JSON_DEPTH} levels)`);
    } else if (byte === 0x5d /* ] */ || byte === 0x7d /* } */) depth--;
  }
}
