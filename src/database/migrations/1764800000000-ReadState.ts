import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Read state and presence (issue 15).
 * - `conversation_members.last_read_seq`: the `seq` of the member's read marker, so an unread
 *   count is `conversations.message_count - last_read_seq` with no count of messages. Existing
 *   members start with everything read (an upgrade must not light every badge at once), their
 *   `last_read_message_id` set to match.
 * - `user_presence`: when each user was last connected (their last connection closed).
 */
export class ReadState1764800000000 implements MigrationInterface {
  name = 'ReadState1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "conversation_members" ADD "last_read_seq" bigint NOT NULL DEFAULT 0`);
    await q.query(
      `UPDATE "conversation_members" cm SET "last_read_seq" = c."message_count",
              "last_read_message_id" = (SELECT m.id FROM "messages" m WHERE m."conversation_id" = c.id AND m.seq = c."message_count")
       FROM "conversations" c WHERE c.id = cm."conversation_id" AND c."message_count" > 0`,
    );
    await q.query(
      `CREATE TABLE "user_presence" (
         "user_id" integer NOT NULL,
         "last_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL,
         CONSTRAINT "user_presence_pkey" PRIMARY KEY ("user_id"),
         CONSTRAINT "user_presence_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE
       )`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "user_presence"`);
    await q.query(`ALTER TABLE "conversation_members" DROP COLUMN "last_read_seq"`);
  }
}
