import { describe, expect, it } from '@jest/globals';
import { flag, keepsBigint, keepsInt, sourceKey, text, timestamp } from './values.js';

describe('source values', () => {
  it('read keys as integers when they are, and UUIDs in one spelling', () => {
    expect(sourceKey(7)).toBe(7);
    expect(sourceKey('9007199254740991')).toBe(9007199254740991);
    expect(sourceKey('9007199254740993')).toBeNull(); // beyond a safe integer: not silently rounded
    expect(sourceKey('550E8400-E29B-41D4-A716-446655440000')).toBe('550e8400e29b41d4a716446655440000');
    expect(sourceKey('550e8400e29b41d4a716446655440000')).toBe('550e8400e29b41d4a716446655440000');
    expect(sourceKey(Buffer.from('550e8400e29b41d4a716446655440000', 'hex'))).toBe('550e8400e29b41d4a716446655440000');
    expect(sourceKey(null)).toBeNull();
    expect(sourceKey('')).toBeNull();
    expect(keepsInt(2147483647)).toBe(true);
    expect(keepsInt(2147483648)).toBe(false);
    expect(keepsInt(0)).toBe(false);
    expect(keepsBigint(2147483648)).toBe(true);
  });

  it('read timestamps as Django wrote them (UTC), keeping microseconds', () => {
    expect(timestamp('2024-12-01 12:00:05.123456')).toBe('2024-12-01T12:00:05.123456+00:00');
    expect(timestamp('2024-12-01 12:00:05')).toBe('2024-12-01T12:00:05+00:00');
    expect(timestamp('2024-12-01T12:00:05.5+03:00')).toBe('2024-12-01T12:00:05.5+03:00');
    expect(timestamp(new Date('2024-12-01T12:00:05.123Z'))).toBe('2024-12-01T12:00:05.123Z');
    expect(timestamp('yesterday')).toBeNull();
    expect(timestamp(null)).toBeNull();
  });

  it('read the flags of three drivers, and text PostgreSQL can store', () => {
    expect([flag(true), flag(1), flag('1'), flag('t'), flag(Buffer.from([1]))]).toEqual([true, true, true, true, true]);
    expect([flag(false), flag(0), flag('0'), flag(null), flag(Buffer.from([0]))]).toEqual([false, false, false, false, false]);
    expect(text('a\u0000b')).toEqual({ value: 'a\uFFFDb', replaced: true });
    expect(text('привет')).toEqual({ value: 'привет', replaced: false });
    expect(text(null)).toEqual({ value: '', replaced: false });
  });
});
