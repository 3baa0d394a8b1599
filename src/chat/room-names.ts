import { randomBytes } from 'node:crypto';

/**
 * Names of chat rooms (the `<room_name>` of the `/messenger/` routes and the WebSocket path).
 *
 * A direct room is named after its two usernames, sorted case-insensitively: `user1_user2`, as in
 * the contract. Usernames may themselves contain `_`, which would make `a_b`+`c` and `a`+`b_c`
 * both `a_b_c`; escaping `_` cannot fix that either, because a username may start or end with
 * one. So when either username contains `_`, the names are joined with `~`, a URL-safe character
 * no username may contain: `a_b~c` and `a~b_c`. Splitting on the one separator is then always
 * unambiguous, and the two forms cannot collide because a `_`-joined name has no `_` in its parts.
 *
 * Group rooms get `g-` and random hex: no `_` or `~`, so never mistaken for a direct room.
 */
export function directRoomName(usernameA: string, usernameB: string): string {
  const [first, second] = [usernameA, usernameB].sort((x, y) => {
    const a = x.toLowerCase();
    const b = y.toLowerCase();
    return a < b ? -1 : a > b ? 1 : 0;
  });
  const separator = first.includes('_') || second.includes('_') ? '~' : '_';
  return `${first}${separator}${second}`;
}

export function groupRoomName(): string {
  return `g-${randomBytes(8).toString('hex')}`;
}

/** Anything that could be a room name at all (checked before touching the database). */
export const ROOM_NAME_PATTERN = /^[\p{L}\p{N}_.@+~-]{1,310}$/u;
