/**
 * Usernames that look alike must not be two accounts (Unicode TR 39). A username is refused when
 * - Unicode NFKC would change it (fullwidth `ａｄｍｉｎ`, mathematical bold, the `ﬁ` ligature,
 *   long `ſ`): those are presentation forms of other letters;
 * - it holds a default-ignorable character (zero-width characters, U+3164 HANGUL FILLER): invisible;
 * - its letters come from more than one script (Cyrillic `а` in `аdmin`), except the combinations
 *   TR 39 allows (Han with Hiragana and Katakana, Han with Hangul, Han with Bopomofo);
 * - it has no letter or digit at all (`.`, `+`).
 * Names in any one script stay valid (`аня`, `Zoë`, `山田`). Uniqueness then compares case-folded
 * keys ({@link usernameKey}), so `Straße` and `STRASSE` are one name.
 */
const SCRIPTS = [
  'Latin', 'Cyrillic', 'Greek', 'Armenian', 'Georgian', 'Hebrew', 'Arabic', 'Syriac', 'Thaana', 'Devanagari', 'Bengali',
  'Gurmukhi', 'Gujarati', 'Oriya', 'Tamil', 'Telugu', 'Kannada', 'Malayalam', 'Sinhala', 'Thai', 'Lao', 'Tibetan',
  'Myanmar', 'Khmer', 'Mongolian', 'Ethiopic', 'Cherokee', 'Han', 'Hiragana', 'Katakana', 'Hangul', 'Bopomofo',
] as const;
const SCRIPT_PATTERNS = SCRIPTS.map((script) => [script, new RegExp(`^\\p{Script=${script}}$`, 'u')] as const);
/** Script sets TR 39 treats as one ("highly restrictive"). */
const ALLOWED_MIXES = [new Set(['Han', 'Hiragana', 'Katakana']), new Set(['Han', 'Hangul']), new Set(['Han', 'Bopomofo'])];
const INVISIBLE = /\p{Default_Ignorable_Code_Point}/u;
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

function scriptOf(letter: string): string {
  for (const [script, pattern] of SCRIPT_PATTERNS) if (pattern.test(letter)) return script;
  return `other:${letter}`; // a script not listed counts as its own: never mixed with another
}

/** Why a username is refused, or null when it is acceptable. */
export function usernameProblem(username: string): string | null {
  if (username.normalize('NFKC') !== username) return 'Use plain letters: this name contains presentation forms (fullwidth, bold, ligatures) of other characters.';
  if (INVISIBLE.test(username)) return 'This name contains invisible characters.';
  if (!LETTER_OR_DIGIT.test(username)) return 'A username needs at least one letter or digit.';
  const scripts = new Set([...username].filter((c) => /\p{L}/u.test(c)).map(scriptOf));
  if (scripts.size > 1 && !ALLOWED_MIXES.some((allowed) => [...scripts].every((s) => allowed.has(s)))) {
    return 'Use letters of one script: this name mixes alphabets, which can make it look like someone else’s.';
  }
  return null;
}

/** The form two usernames are compared in: NFKC, then full case folding (`ß` → `ss`, `ς` → `σ`). */
export function usernameKey(username: string): string {
  return username.normalize('NFKC').toUpperCase().toLowerCase().normalize('NFKC');
}
