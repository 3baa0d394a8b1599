/** Deepest nesting of arrays and objects accepted in a JSON body; no route needs more than 4. */
export const MAX_JSON_DEPTH = 32;

/** Thrown from body-parser's `verify`: answered 400 by the exception filter. */
export class JsonTooDeepError extends Error {
  readonly status = 400;
  readonly type = 'entity.too.deep';

  constructor() {
    super(`JSON in request body is nested too deeply (at most ${MAX_JSON_DEPTH} levels)`);
  }
}

/**
 * body-parser `verify` hook: scans the raw bytes once, before parsing, and refuses bodies nested
 * deeper than {@link MAX_JSON_DEPTH}. Validation (class-transformer) walks bodies recursively, so
 * a few thousand levels of `[[[…]]]` overflowed its stack and answered 500.
 */
export function verifyJsonDepth(_request: unknown, _response: unknown, body: Buffer): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i];
    if (inString) {
      if (byte === 0x5c /* \ */) i++;
      else if (byte === 0x22 /* " */) inString = false;
    } else if (byte === 0x22) inString = true;
    else if (byte === 0x5b /* [ */ || byte === 0x7b /* { */) {
      if (++depth > MAX_JSON_DEPTH) throw new JsonTooDeepError();
    } else if (byte === 0x5d /* ] */ || byte === 0x7d /* } */) depth--;
  }
}
