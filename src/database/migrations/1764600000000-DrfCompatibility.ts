import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What clients of the original Django systems expect (issue 12):
 * - `auth_sessions.token_profile`: which route family opened a session, and so its token
 *   lifetimes (`accounts`: the original's 30/60 days), kept across refreshes;
 * - `profiles.bio` is null until set, as the original's `TextField(null=True)`;
 * - direct room names sort the two usernames by code point, as Python's min()/max() do
 *   (`Zoe_alice`, not `alice_Zoe`); every name a room had before stays resolvable through
 *   `conversation_name_aliases`, so links and clients that kept an old name keep working.
 */
export class DrfCompatibility1764600000000 implements MigrationInterface {
  name = 'DrfCompatibility1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "auth_sessions" ADD "token_profile" character varying(16) NOT NULL DEFAULT 'api'`);
    await q.query(`ALTER TABLE "auth_sessions" ADD CONSTRAINT "auth_sessions_token_profile_check" CHECK ("token_profile" IN ('api', 'accounts'))`);

    await q.query(`ALTER TABLE "profiles" ALTER COLUMN "bio" DROP NOT NULL`);
    await q.query(`ALTER TABLE "profiles" ALTER COLUMN "bio" DROP DEFAULT`);
    await q.query(`UPDATE "profiles" SET "bio" = NULL WHERE "bio" = ''`);

    await q.query(`
      CREATE TABLE "conversation_name_aliases" (
        "name" character varying(320) NOT NULL,
        "conversation_id" integer NOT NULL,
        CONSTRAINT "conversation_name_aliases_pkey" PRIMARY KEY ("name"),
        CONSTRAINT "conversation_name_aliases_conversation_id_fkey" FOREIGN KEY ("conversation_id") REFERENCES "conversations"("id") ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX "conversation_name_aliases_conversation_id_idx" ON "conversation_name_aliases" ("conversation_id")`);
    // COLLATE "C" compares UTF-8 bytes, whose order is the code points' order.
    await q.query(`
      CREATE TEMPORARY TABLE renamed_rooms AS
      SELECT c.id, c.name AS old_name,
             CASE WHEN lo.username COLLATE "C" < hi.username COLLATE "C" THEN lo.username ELSE hi.username END
             || CASE WHEN strpos(lo.username, '_') > 0 OR strpos(hi.username, '_') > 0 THEN '~' ELSE '_' END
             || CASE WHEN lo.username COLLATE "C" < hi.username COLLATE "C" THEN hi.username ELSE lo.username END AS new_name
      FROM "conversations" c
      JOIN "users" lo ON lo.id = c.direct_user_low
      JOIN "users" hi ON hi.id = c.direct_user_high
      WHERE c.kind = 'direct'`);
    await q.query(`DELETE FROM renamed_rooms r WHERE r.new_name = r.old_name OR EXISTS (SELECT 1 FROM "conversations" c WHERE c.name = r.new_name)`);
    await q.query(`INSERT INTO "conversation_name_aliases" ("name", "conversation_id") SELECT old_name, id FROM renamed_rooms`);
    await q.query(`UPDATE "conversations" c SET "name" = r.new_name FROM renamed_rooms r WHERE r.id = c.id`);
    await q.query(`DROP TABLE renamed_rooms`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "conversation_name_aliases"`);
    await q.query(`UPDATE "profiles" SET "bio" = '' WHERE "bio" IS NULL`);
    await q.query(`ALTER TABLE "profiles" ALTER COLUMN "bio" SET DEFAULT ''`);
    await q.query(`ALTER TABLE "profiles" ALTER COLUMN "bio" SET NOT NULL`);
    await q.query(`ALTER TABLE "auth_sessions" DROP CONSTRAINT "auth_sessions_token_profile_check"`);
    await q.query(`ALTER TABLE "auth_sessions" DROP COLUMN "token_profile"`);
  }
}
