import { describe, expect, it } from '@jest/globals';
import { compareCodePoints, directRoomName, groupRoomName, ROOM_NAME_PATTERN } from './room-names.js';

describe('room names', () => {
  it('follows the contract for plain usernames, in sorted order', () => {
    expect(directRoomName('user2', 'user1')).toBe('user1_user2');
    expect(directRoomName('user1', 'user2')).toBe('user1_user2');
  });

  it('sorts by code point as Python does: capitals first, then by code point beyond the BMP', () => {
    expect(directRoomName('alice', 'Zoe')).toBe('Zoe_alice');
    expect(directRoomName('Bob', 'alice')).toBe('Bob_alice');
    expect(directRoomName('я', 'z')).toBe('z_я');
    // U+FF41 (fullwidth a) is below U+1D41A (math bold a) by code point, but not by UTF-16 unit.
    expect(directRoomName('\u{1D41A}', '\uFF41')).toBe('\uFF41_\u{1D41A}');
    expect(compareCodePoints('ab', 'a')).toBeGreaterThan(0);
  });

  it('keeps pairs apart when usernames contain underscores', () => {
    expect(directRoomName('a_b', 'c')).not.toBe(directRoomName('a', 'b_c'));
    expect(directRoomName('a_', 'b')).not.toBe(directRoomName('a', '_b'));
    expect(directRoomName('a_b', 'c')).toBe('a_b~c');
    expect(directRoomName('a', 'b_c')).toBe('a~b_c');
  });

  it('gives every pair of a set of tricky usernames its own name', () => {
    const usernames = ['a', 'b', 'c', 'a_b', 'b_c', 'a_', '_b', '_', '__', 'a__b', 'a.b', 'a-b', 'a@b', 'a+b', 'ä', 'я'];
    const seen = new Map<string, string>();
    for (const x of usernames) {
      for (const y of usernames) {
        if (x >= y) continue;
        const name = directRoomName(x, y);
        expect(ROOM_NAME_PATTERN.test(name)).toBe(true);
        const pair = [x, y].sort().join(' ');
        expect(seen.get(name) ?? pair).toBe(pair);
        seen.set(name, pair);
      }
    }
  });

  it('names groups so they cannot look like direct rooms', () => {
    const name = groupRoomName();
    expect(name).toMatch(/^g-[0-9a-f]{16}$/);
    expect(name).not.toMatch(/[_~]/);
    expect(groupRoomName()).not.toBe(name);
  });
});
