/** Values as the three drivers return them, made one shape (keys, times, flags, text). */

export type SourceKey = number | string;

const UUID_HEX = /^[0-9a-f]{32}$/;

/**
 * A source row's key: an integer when it is one (PostgreSQL and MySQL return BIGINT as strings),
 * otherwise its text, UUIDs lower-cased without dashes (SQLite stores Django's UUIDField as 32 hex
 * digits, PostgreSQL as `uuid`, SimpleJWT's `user_id` claim has dashes): one spelling per key.
 */
export function sourceKey(value: unknown): SourceKey | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : null;
  if (typeof value === 'bigint') return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : null;
  if (value instanceof Uint8Array) return value.length === 16 ? Buffer.from(value).toString('hex') : null; // MySQL BINARY(16)
  if (typeof value !== 'string' || value.length === 0 || value.length > 64) return null;
  if (/^-?[0-9]{1,16}$/.test(value)) {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : null;
  }
  const compact = value.toLowerCase().replace(/-/g, '');
  return UUID_HEX.test(compact) ? compact : value;
}

/** True when a key can be Palaver's own id of the same row: a positive 32-bit integer (users, rooms, posts). */
export function keepsInt(key: SourceKey): key is number {
  return typeof key === 'number' && key > 0 && key <= 2147483647;
}

/** Messages have 64-bit ids: any positive safe integer is kept. */
export function keepsBigint(key: SourceKey): key is number {
  return typeof key === 'number' && key > 0;
}

/**
 * A timestamp as ISO text for PostgreSQL, microseconds kept. Django writes UTC (USE_TZ) as naive
 * text in SQLite and MySQL; PostgreSQL's driver returns a Date.
 */
export function timestamp(value: unknown): string | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (typeof value === 'number') return new Date(value).toISOString();
  if (typeof value !== 'string') return null;
  const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)(Z|[+-]\d{2}(?::?\d{2})?)?$/.exec(value.trim());
  if (!match) return null;
  return `${match[1]}T${match[2]}${match[3] ?? '+00:00'}`;
}

export function flag(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return Number(value) !== 0;
  if (typeof value === 'string') return value === '1' || value.toLowerCase() === 'true' || value === 't';
  if (value instanceof Uint8Array) return value.length > 0 && value[0] !== 0; // MySQL BIT(1)
  return false;
}

/** Text PostgreSQL can store: NUL is the one character it refuses; it becomes U+FFFD. */
export function text(value: unknown): { value: string; replaced: boolean } {
  const raw = value === null || value === undefined ? '' : value instanceof Uint8Array ? Buffer.from(value).toString('utf8') : String(value);
  return raw.includes('\u0000') ? { value: raw.replaceAll('\u0000', '\uFFFD'), replaced: true } : { value: raw, replaced: false };
}
