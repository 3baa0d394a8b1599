import type { MigrationInterface, QueryRunner } from 'typeorm';
import { usernameKey } from '../../users/username-rules.js';

/**
 * `users.username_key`: the username NFKC-normalised and case-folded (`Straße` → `strasse`), unique,
 * so names that only differ by folding are one name (issue 13, finding 9). Computed in the app
 * (PostgreSQL's lower() does not fold `ß`); filled here for existing accounts. Where two existing
 * accounts fold to one key, the older keeps it and the newer keeps no key: neither is renamed, and
 * nobody can register a third such name.
 */
export class UsernameKeys1764700000000 implements MigrationInterface {
  name = 'UsernameKeys1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "users" ADD "username_key" character varying(600)`);
    const users: Array<{ id: number; username: string }> = await q.query(`SELECT id, username FROM "users" ORDER BY id`);
    const taken = new Set<string>();
    for (const user of users) {
      const key = usernameKey(user.username);
      if (taken.has(key)) continue;
      taken.add(key);
      await q.query(`UPDATE "users" SET "username_key" = $1 WHERE id = $2`, [key, user.id]);
    }
    await q.query(`CREATE UNIQUE INDEX "users_username_key_key" ON "users" ("username_key")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "users_username_key_key"`);
    await q.query(`ALTER TABLE "users" DROP COLUMN "username_key"`);
  }
}
