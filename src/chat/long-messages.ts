/**
 * Splits a message longer than `max` characters (code points) into consecutive parts of at most
 * `max`, breaking at the last whitespace of each window when there is one in its second half
 * (words stay whole), else exactly at the limit. Nothing is dropped but the whitespace at the
 * breaks. What a chat user expects of a long paste (Telegram does the same): every character
 * arrives, in order, as several messages, instead of an error bubble or a silent cut.
 */
export function splitLongMessage(text: string, max: number): string[] {
  const trimmed = text.trim();
  // Fast path for every ordinary message: UTF-16 length bounds the code point count from above.
  if (trimmed.length <= max) return trimmed ? [trimmed] : [];
  const characters = [...trimmed];
  const parts: string[] = [];
  let start = 0;
  while (characters.length - start > max) {
    let end = start + max;
    for (let i = end; i > start + max / 2; i--) {
      if (/\s/.test(characters[i])) {
        end = i;
        break;
      }
    }
    const part = characters.slice(start, end).join('').trim();
    if (part) parts.push(part);
    start = end;
    while (start < characters.length && /\s/.test(characters[start])) start++;
  }
  const rest = characters.slice(start).join('').trim();
  if (rest) parts.push(rest);
  return parts;
}

/** The idempotency key of part `index` (0-based) of a split message: the key itself for the first, `key:pN` after. */
export function partClientId(clientId: string | undefined, index: number): string | undefined {
  if (clientId === undefined || index === 0) return clientId;
  const suffix = `:p${index + 1}`;
  return `${clientId.slice(0, 64 - suffix.length)}${suffix}`;
}
