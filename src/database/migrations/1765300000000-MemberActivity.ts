import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each membership carries a copy of its conversation's `last_activity_at`, indexed per user, so
 * that a user's conversation list (most recent first) reads the first page from one index range
 * instead of joining every membership to its conversation and sorting: for a user in 1,000
 * conversations, 1,000 lookups and a sort became 20 index entries (docs/performance.md).
 *
 * Triggers keep the copy exact whoever writes: a conversation's new activity is copied to its
 * members in the same transaction, and a new membership takes its conversation's value, under a
 * share lock on the conversation so that a concurrent send cannot slip between the read and the
 * insert. The cost is one member row written per member when a conversation's activity moves
 * (once per stored batch of messages; groups have at most 50 members).
 */
export class MemberActivity1765300000000 implements MigrationInterface {
  name = 'MemberActivity1765300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "conversation_members" ADD "last_activity_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()`);
    await q.query(`UPDATE "conversation_members" cm SET "last_activity_at" = c."last_activity_at" FROM "conversations" c WHERE c."id" = cm."conversation_id"`);
    await q.query(`CREATE INDEX "conversation_members_activity_idx" ON "conversation_members" ("user_id", "last_activity_at" DESC, "conversation_id" DESC)`);
    await q.query(
      `CREATE FUNCTION "conversation_members_copy_activity"() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         UPDATE "conversation_members" SET "last_activity_at" = NEW."last_activity_at"
         WHERE "conversation_id" = NEW."id" AND "last_activity_at" IS DISTINCT FROM NEW."last_activity_at";
         RETURN NULL;
       END $$`,
    );
    await q.query(
      `CREATE TRIGGER "conversations_activity_to_members" AFTER UPDATE OF "last_activity_at" ON "conversations"
       FOR EACH ROW WHEN (OLD."last_activity_at" IS DISTINCT FROM NEW."last_activity_at")
       EXECUTE FUNCTION "conversation_members_copy_activity"()`,
    );
    await q.query(
      `CREATE FUNCTION "conversation_members_take_activity"() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         SELECT c."last_activity_at" INTO NEW."last_activity_at" FROM "conversations" c WHERE c."id" = NEW."conversation_id" FOR SHARE;
         RETURN NEW;
       END $$`,
    );
    await q.query(
      `CREATE TRIGGER "conversation_members_activity_on_insert" BEFORE INSERT ON "conversation_members"
       FOR EACH ROW EXECUTE FUNCTION "conversation_members_take_activity"()`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER "conversation_members_activity_on_insert" ON "conversation_members"`);
    await q.query(`DROP FUNCTION "conversation_members_take_activity"()`);
    await q.query(`DROP TRIGGER "conversations_activity_to_members" ON "conversations"`);
    await q.query(`DROP FUNCTION "conversation_members_copy_activity"()`);
    await q.query(`DROP INDEX "conversation_members_activity_idx"`);
    await q.query(`ALTER TABLE "conversation_members" DROP COLUMN "last_activity_at"`);
  }
}
