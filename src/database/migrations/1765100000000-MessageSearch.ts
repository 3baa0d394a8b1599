import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Full-text search of messages (issue 16): one GIN index on the text read as English and as
 * Russian (each with its own stemming), so a search in either language finds the other forms of
 * its words. An expression index, not a stored column: nothing is added to the rows, and the
 * expression (SEARCH_VECTOR in messages.repository.ts) must stay exactly this for the index to serve.
 * On a large table this takes a while (and blocks writes to messages meanwhile).
 */
export class MessageSearch1765100000000 implements MigrationInterface {
  name = 'MessageSearch1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX "messages_search_idx" ON "messages" USING gin ((to_tsvector('english'::regconfig, "text") || to_tsvector('russian'::regconfig, "text")))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "messages_search_idx"`);
  }
}
