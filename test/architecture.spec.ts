import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';

/**
 * The module boundaries of issue 14, checked on the source text: feature modules never import
 * each other both ways, and SQL that writes a table lives in the module that owns the table.
 */
const SRC = resolve('src');
const FEATURES = ['accounts', 'auth', 'chat', 'posts', 'profiles', 'users'];

/** Which module owns which table. */
const OWNER: Record<string, string> = {
  users: 'users',
  profiles: 'profiles',
  friendships: 'profiles',
  posts: 'posts',
  auth_sessions: 'auth',
  refresh_tokens: 'auth',
  conversations: 'chat',
  conversation_members: 'chat',
  conversation_name_aliases: 'chat',
  messages: 'chat',
  user_presence: 'chat',
  message_reactions: 'chat',
  user_blocks: 'chat',
  legacy_tokens_spent: 'auth',
};
// `django-import/` (`npm run import:django`) is no feature module: an offline bulk tool that writes
// every module's tables in batches of thousands of rows (docs/switching.md), so it is not checked here.


function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'migrations' ? [] : sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

const moduleOf = (file: string) => relative(SRC, file).split(sep)[0];

describe('module boundaries', () => {
  const files = sources(SRC);

  it('no two feature modules import each other', () => {
    const edges = new Set<string>();
    for (const file of files) {
      const from = moduleOf(file);
      if (!FEATURES.includes(from)) continue;
      for (const [, target] of readFileSync(file, 'utf8').matchAll(/from '(\.[^']+)'/g)) {
        const to = moduleOf(resolve(join(file, '..'), target));
        if (to !== from && FEATURES.includes(to)) edges.add(`${from}->${to}`);
      }
    }
    const cycles = [...edges]
      .map((edge) => edge.split('->'))
      .filter(([a, b]) => a < b && edges.has(`${b}->${a}`))
      .map(([a, b]) => `${a}<->${b}`);
    expect(cycles).toEqual([]);
  });

  it('only the owning module writes a table', () => {
    const foreignWrites: string[] = [];
    for (const file of files) {
      const from = moduleOf(file);
      if (!FEATURES.includes(from)) continue;
      const text = readFileSync(file, 'utf8');
      for (const [, table] of text.matchAll(/\b(?:INSERT INTO|UPDATE|DELETE FROM)\s+"?([a-z_]+)"?/g)) {
        const owner = OWNER[table];
        if (owner && owner !== from) foreignWrites.push(`${relative(SRC, file)} writes ${table} (owned by ${owner})`);
      }
    }
    expect(foreignWrites).toEqual([]);
  });
});
