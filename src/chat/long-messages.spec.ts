import { describe, expect, it } from '@jest/globals';
import { partClientId, splitLongMessage } from './long-messages.js';

describe('splitLongMessage', () => {
  it('leaves a message within the limit alone', () => {
    expect(splitLongMessage('  hello world ', 20)).toEqual(['hello world']);
  });

  it('breaks at whitespace so words stay whole, and loses only the whitespace at the breaks', () => {
    const words = Array.from({ length: 30 }, (_, i) => `word${i}`);
    const parts = splitLongMessage(words.join(' '), 40);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect([...part].length).toBeLessThanOrEqual(40);
    expect(parts.join(' ')).toBe(words.join(' '));
  });

  it('cuts exactly at the limit when there is no whitespace, counting code points', () => {
    const text = '😀'.repeat(25);
    const parts = splitLongMessage(text, 10);
    expect(parts.map((p) => [...p].length)).toEqual([10, 10, 5]);
    expect(parts.join('')).toBe(text);
  });

  it('gives each part its own idempotency key, within 64 characters', () => {
    expect(partClientId(undefined, 1)).toBeUndefined();
    expect(partClientId('c-1', 0)).toBe('c-1');
    expect(partClientId('c-1', 2)).toBe('c-1:p3');
    expect(partClientId('x'.repeat(64), 1)).toHaveLength(64);
  });
});
