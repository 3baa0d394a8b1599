import { describe, expect, it } from '@jest/globals';
import { isSingleEmoji } from './emoji.js';

describe('reaction emoji', () => {
  it.each(['👍', '❤️', '❤', '😂', '👍🏽', '👨‍👩‍👧‍👦', '🏳️‍🌈', '🇫🇷', '1️⃣', '🫠'])('accepts %s', (emoji) => {
    expect(isSingleEmoji(emoji)).toBe(true);
  });

  it.each(['', 'a', '1', 'ok', '👍👍', '👍 ', ' 👍', '<b>', 'ё', '\u200d', '\ufe0f', '👍a', '😀'.repeat(40)])('refuses %j', (value) => {
    expect(isSingleEmoji(value)).toBe(false);
  });
});
