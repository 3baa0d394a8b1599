import { readFileSync } from 'node:fs';
import type { DjangoSource } from './source.js';

/**
 * Where a Django deployment keeps what Palaver imports: table and column names per kind of row.
 * Two layouts are built in, one per original; a mapping file (JSON) changes any part of one
 * (docs/switching.md has an example).
 */
export interface TableMap<C extends string> {
  table: string;
  columns: Record<C, string>;
}

export interface Layout {
  name: string;
  /** Palaver's token profile for the original's tokens and sessions opened from them. */
  tokenProfile: 'api' | 'accounts';
  /** bio and picture are optional: columns of the user table in the seed-000 projects. */
  users: TableMap<'id' | 'username' | 'email' | 'password' | 'dateJoined' | 'isActive'> & { optional?: Partial<Record<'bio' | 'picture', string>> };
  /** A profile table of its own (seed 003: `profiles_userprofile`), when the users table has no bio. */
  profiles?: TableMap<'id' | 'user' | 'bio' | 'image'>;
  /** Friendships: pairs of profile ids (`refersTo: 'profiles'`) or user ids. */
  friendships?: TableMap<'from' | 'to'> & { refersTo: 'profiles' | 'users' };
  posts?: TableMap<'id' | 'user' | 'title' | 'content' | 'createdAt'>;
  /** Rooms or conversations; `name` and `createdAt` are optional (seed 003 has no creation time, seed 000 no name). */
  conversations: TableMap<'id'> & { optional?: Partial<Record<'name' | 'createdAt', string>> };
  members: TableMap<'conversation' | 'user'>;
  messages: TableMap<'id' | 'conversation' | 'user' | 'text' | 'timestamp'>;
}

const AUTH_USER_COLUMNS = { id: 'id', username: 'username', email: 'email', password: 'password', dateJoined: 'date_joined', isActive: 'is_active' };

/** til-we-die/course_work (seed 003): Django's `auth_user`, apps `profiles` and `messenger`. */
export const COURSE_WORK: Layout = {
  name: 'course-work',
  tokenProfile: 'accounts',
  users: { table: 'auth_user', columns: AUTH_USER_COLUMNS },
  profiles: { table: 'profiles_userprofile', columns: { id: 'id', user: 'user_id', bio: 'bio', image: 'image' } },
  friendships: { table: 'profiles_userprofile_friends', columns: { from: 'from_userprofile_id', to: 'to_userprofile_id' }, refersTo: 'profiles' },
  posts: { table: 'profiles_post', columns: { id: 'id', user: 'user_id', title: 'title', content: 'content', createdAt: 'created_at' } },
  conversations: { table: 'messenger_chatroom', columns: { id: 'id' }, optional: { name: 'name' } },
  members: { table: 'messenger_chatroom_members', columns: { conversation: 'chatroom_id', user: 'user_id' } },
  messages: { table: 'messenger_message', columns: { id: 'id', conversation: 'room_id', user: 'user_id', text: 'content', timestamp: 'timestamp' } },
};

/**
 * The alx-backend-python `messaging_app` projects (seed 000): app `chats` with a custom user model
 * (`AUTH_USER_MODEL = 'chats.User'`: auth_user's columns plus `bio` and `profile_picture`), and
 * `Conversation(participants, created_at)`, `Message(sender, conversation, text, timestamp)`.
 */
export const MESSAGING_APP: Layout = {
  name: 'messaging-app',
  tokenProfile: 'api',
  users: { table: 'chats_user', columns: AUTH_USER_COLUMNS, optional: { bio: 'bio', picture: 'profile_picture' } },
  conversations: { table: 'chats_conversation', columns: { id: 'id' }, optional: { createdAt: 'created_at' } },
  members: { table: 'chats_conversation_participants', columns: { conversation: 'conversation_id', user: 'user_id' } },
  messages: { table: 'chats_message', columns: { id: 'id', conversation: 'conversation_id', user: 'sender_id', text: 'text', timestamp: 'timestamp' } },
};

export const LAYOUTS: Record<string, Layout> = { [COURSE_WORK.name]: COURSE_WORK, [MESSAGING_APP.name]: MESSAGING_APP };

export class LayoutError extends Error {}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const SECTIONS = ['users', 'profiles', 'friendships', 'posts', 'conversations', 'members', 'messages'] as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A layout from a mapping file's JSON: `extends` names the built-in layout it starts from, and
 * each section replaces that layout's table name and any of its columns (`null` drops an optional
 * section, such as `posts`). Every name must be a plain SQL identifier: it is quoted into queries.
 */
export function layoutFromMapping(json: unknown): Layout {
  if (!isRecord(json)) throw new LayoutError('the mapping file must hold a JSON object');
  const base = LAYOUTS[String(json.extends ?? '')];
  if (!base) throw new LayoutError(`"extends" must be one of: ${Object.keys(LAYOUTS).join(', ')}`);
  const layout = structuredClone(base) as unknown as Record<string, unknown>;
  layout.name = typeof json.name === 'string' && json.name ? json.name : `${base.name}+mapping`;
  if (json.tokenProfile !== undefined) {
    if (json.tokenProfile !== 'api' && json.tokenProfile !== 'accounts') throw new LayoutError('"tokenProfile" must be "api" or "accounts"');
    layout.tokenProfile = json.tokenProfile;
  }
  for (const key of Object.keys(json)) {
    if (!['extends', 'name', 'tokenProfile', ...SECTIONS].includes(key)) throw new LayoutError(`unknown key "${key}"`);
  }
  for (const section of SECTIONS) {
    const given = json[section];
    if (given === undefined) continue;
    if (given === null) {
      if (section === 'users' || section === 'conversations' || section === 'members' || section === 'messages') throw new LayoutError(`"${section}" cannot be dropped`);
      delete layout[section];
      continue;
    }
    if (!isRecord(given)) throw new LayoutError(`"${section}" must be an object`);
    const current = (layout[section] as Record<string, unknown> | undefined) ?? undefined;
    if (!current) throw new LayoutError(`"${section}" is not part of the "${base.name}" layout; extend a layout that has it`);
    for (const key of Object.keys(given)) {
      if (key === 'table') current.table = given.table;
      else if (key === 'columns' || key === 'optional') {
        if (!isRecord(given[key])) throw new LayoutError(`"${section}.${key}" must be an object`);
        const target = (current[key] ?? {}) as Record<string, unknown>;
        for (const [field, column] of Object.entries(given[key] as Record<string, unknown>)) {
          if (key === 'columns' && !(field in target)) throw new LayoutError(`"${section}.columns.${field}" is not a column Palaver reads (it reads: ${Object.keys(target).join(', ')})`);
          if (column === null && key === 'optional') delete target[field];
          else target[field] = column;
        }
        current[key] = target;
      } else if (key === 'refersTo' && section === 'friendships') {
        if (given.refersTo !== 'profiles' && given.refersTo !== 'users') throw new LayoutError('"friendships.refersTo" must be "profiles" or "users"');
        current.refersTo = given.refersTo;
      } else throw new LayoutError(`unknown key "${section}.${key}"`);
    }
  }
  for (const section of SECTIONS) {
    const current = layout[section] as Record<string, unknown> | undefined;
    if (!current) continue;
    const names = [current.table, ...Object.values((current.columns ?? {}) as object), ...Object.values((current.optional ?? {}) as object)];
    for (const name of names) {
      if (typeof name !== 'string' || !IDENTIFIER.test(name)) throw new LayoutError(`"${section}": ${JSON.stringify(name)} is not a plain table or column name`);
    }
  }
  if (layout.friendships && (layout.friendships as { refersTo: string }).refersTo === 'profiles' && !layout.profiles) {
    throw new LayoutError('"friendships" refer to profiles, but the layout has no "profiles" table');
  }
  return layout as unknown as Layout;
}

/** The layout asked for, or the one whose tables the source has. */
export async function chooseLayout(source: DjangoSource, layoutName?: string, mappingFile?: string): Promise<Layout> {
  if (mappingFile) return layoutFromMapping(JSON.parse(readFileSync(mappingFile, 'utf8')) as unknown);
  if (layoutName) {
    const layout = LAYOUTS[layoutName];
    if (!layout) throw new LayoutError(`unknown layout "${layoutName}" (known: ${Object.keys(LAYOUTS).join(', ')})`);
    return structuredClone(layout);
  }
  for (const layout of Object.values(LAYOUTS)) if (await source.hasTable(layout.messages.table)) return structuredClone(layout);
  throw new LayoutError(`the source has none of the known layouts' message tables (${Object.values(LAYOUTS).map((l) => l.messages.table).join(', ')}): pass --mapping`);
}
