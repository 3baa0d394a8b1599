import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `messages.seq`: a message's position in its conversation (1, 2, 3, …), assigned under the
 * conversation's row lock by the send statement. Messages are never deleted, so the numbers are
 * dense and page N of a conversation is the range `seq ∈ ((N-1)·size, N·size]`: one probe of the
 * unique index at any depth, where an OFFSET walked up to half a million index entries.
 */
export class MessageSequence1763790000000 implements MigrationInterface {
  name = 'MessageSequence1763790000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "messages" ADD "seq" bigint`);
    await q.query(`
      UPDATE "messages" m SET "seq" = numbered.n
      FROM (SELECT id, row_number() OVER (PARTITION BY conversation_id ORDER BY id) AS n FROM "messages") numbered
      WHERE numbered.id = m.id`);
    await q.query(`UPDATE "conversations" c SET "message_count" = coalesce((SELECT max("seq") FROM "messages" WHERE "conversation_id" = c.id), 0)`);
    await q.query(`ALTER TABLE "messages" ALTER COLUMN "seq" SET NOT NULL`);
    await q.query(`CREATE UNIQUE INDEX "messages_conversation_id_seq_key" ON "messages" ("conversation_id", "seq")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "messages_conversation_id_seq_key"`);
    await q.query(`ALTER TABLE "messages" DROP COLUMN "seq"`);
  }
}
