import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Edits, deletions, replies and reactions (issue 16), and member roles (group administration).
 * - `messages.edited_at`, `deleted_at` (a deleted message keeps its row, id and seq; its text is
 *   emptied), `reply_to_id` (a message of the same conversation).
 * - `message_reactions`: one row per message, emoji and user; `messages.reactions` keeps their
 *   summary (`[{emoji, count, users}]`), rewritten under the message's row lock on each change, so
 *   no read of messages ever joins the reactions.
 * - `conversation_members.role`: `owner`, `admin` or `member`. Existing groups get an owner: the
 *   member who sent their first message, else the member with the lowest user id (groups recorded
 *   no creator before).
 */
export class MessageActions1764900000000 implements MigrationInterface {
  name = 'MessageActions1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "messages" ADD "edited_at" TIMESTAMP WITH TIME ZONE`);
    await q.query(`ALTER TABLE "messages" ADD "deleted_at" TIMESTAMP WITH TIME ZONE`);
    await q.query(`ALTER TABLE "messages" ADD "reply_to_id" bigint`);
    await q.query(`ALTER TABLE "messages" ADD "reactions" jsonb NOT NULL DEFAULT '[]'`);
    await q.query(`ALTER TABLE "messages" ADD CONSTRAINT "messages_reply_to_id_fkey" FOREIGN KEY ("reply_to_id") REFERENCES "messages"("id") ON DELETE SET NULL`);
    await q.query(
      `CREATE TABLE "message_reactions" (
         "message_id" bigint NOT NULL,
         "emoji" character varying(64) NOT NULL,
         "user_id" integer NOT NULL,
         "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
         CONSTRAINT "message_reactions_pkey" PRIMARY KEY ("message_id", "emoji", "user_id"),
         CONSTRAINT "message_reactions_message_id_fkey" FOREIGN KEY ("message_id") REFERENCES "messages"("id") ON DELETE CASCADE,
         CONSTRAINT "message_reactions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE
       )`,
    );
    await q.query(`CREATE INDEX "message_reactions_user_id_idx" ON "message_reactions" ("user_id")`);
    await q.query(`ALTER TABLE "conversation_members" ADD "role" character varying(10) NOT NULL DEFAULT 'member'`);
    await q.query(`ALTER TABLE "conversation_members" ADD CONSTRAINT "conversation_members_role_check" CHECK ("role" IN ('owner', 'admin', 'member'))`);
    await q.query(
      `UPDATE "conversation_members" cm SET "role" = 'owner'
       FROM "conversations" c
       WHERE c.id = cm."conversation_id" AND c."kind" = 'group' AND cm."user_id" = coalesce(
         (SELECT m."sender_id" FROM "messages" m JOIN "conversation_members" x ON x."conversation_id" = m."conversation_id" AND x."user_id" = m."sender_id"
          WHERE m."conversation_id" = c.id ORDER BY m.seq LIMIT 1),
         (SELECT min(x."user_id") FROM "conversation_members" x WHERE x."conversation_id" = c.id))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "conversation_members" DROP CONSTRAINT "conversation_members_role_check"`);
    await q.query(`ALTER TABLE "conversation_members" DROP COLUMN "role"`);
    await q.query(`DROP TABLE "message_reactions"`);
    await q.query(`ALTER TABLE "messages" DROP CONSTRAINT "messages_reply_to_id_fkey"`);
    await q.query(`ALTER TABLE "messages" DROP COLUMN "reactions"`);
    await q.query(`ALTER TABLE "messages" DROP COLUMN "reply_to_id"`);
    await q.query(`ALTER TABLE "messages" DROP COLUMN "deleted_at"`);
    await q.query(`ALTER TABLE "messages" DROP COLUMN "edited_at"`);
  }
}
