import { randomBytes } from 'node:crypto';

/** Compares by Unicode code point, as Python compares `str` (JavaScript's `<` compares UTF-16 units). */
export function compareCodePoints(a: string, b: string): number {
  const left = [...a];
  const right = [...b];
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const diff = left[i].codePointAt(0)! - right[i].codePointAt(0)!;
    if (diff !== 0) return diff;
  }
  return left.length - right.length;
}

/**
 * Names of chat rooms (the `<room_name>` of the `/messenger/` routes and the WebSocket path).
 *
 * A direct room is named after its two usernames sorted by code point, as the original's
 * `min()`/`max()` do: `user1_user2`, as in the contract, and `Zoe_alice` (capitals first), so a
 * client that builds the name finds the room. Names made before by another order stay valid
 * (`conversation_name_aliases`). Usernames may themselves contain `_`, which would make `a_b`+`c` and `a`+`b_c`
 * both `a_b_c`; escaping `_` cannot fix that either, because a username may start or end with
 * one. So when either username contains `_`, the names are joined with `~`, a URL-safe character
 * no username may contain: `a_b~c` and `a~b_c`. Splitting on the one separator is then always
 * unambiguous, and the two forms cannot collide because a `_`-joined name has no `_` in its parts.
 *
 * Group rooms get `g-` and random hex: no `_` or `~`, so never mistaken for a direct room.
 */
export function directRoomName(usernameA: string, usernameB: string): string {
  const [first, second] = [usernameA, usernameB].sort(compareCodePoints);
  const separator = first.includes('_') || second.includes('_') ? '~' : '_';
  return `${first}${separator}${second}`;
}

export function groupRoomName(): string {
  return `g-${randomBytes(8).toString('hex')}`;
}

/** Anything that could be a room name at all (checked before touching the database). */
export const ROOM_NAME_PATTERN = /^[\p{L}\p{N}_.@+~-]{1,310}$/u;
