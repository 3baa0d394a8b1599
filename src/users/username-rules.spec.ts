import { describe, expect, it } from '@jest/globals';
import { usernameKey, usernameProblem } from './username-rules.js';

describe('username rules (review finding 9)', () => {
  it.each([
    ['аdmin', 'Cyrillic а among Latin letters'],
    ['ａｄｍｉｎ', 'fullwidth letters'],
    ['\u{1D41A}\u{1D41D}\u{1D426}\u{1D422}\u{1D427}', 'mathematical bold'],
    ['ﬁle', 'a ligature'],
    ['boſs', 'long s'],
    ['ad\u200Bmin', 'a zero-width space'],
    ['\u3164', 'HANGUL FILLER alone'],
    ['adm\u3164in', 'HANGUL FILLER inside'],
    ['.', 'only a dot'],
    ['+', 'only a plus'],
    ['_.-', 'only punctuation'],
  ])('refuses %j (%s)', (name) => {
    expect(usernameProblem(name)).not.toBeNull();
  });

  it.each(['alice', 'Zoe_1', 'аня', 'Zoë', 'Straße', '山田', 'やまだ太郎', '김민준', 'ελένη', 'user.name+tag@x', '007'])('keeps %j', (name) => {
    expect(usernameProblem(name)).toBeNull();
  });

  it('compares case-folded: Straße and STRASSE, σ and ς are one name', () => {
    expect(usernameKey('Straße')).toBe(usernameKey('STRASSE'));
    expect(usernameKey('Zoe')).toBe(usernameKey('zoe'));
    expect(usernameKey('ΣΟΦΙΑ')).toBe(usernameKey('σοφια'));
  });
});
