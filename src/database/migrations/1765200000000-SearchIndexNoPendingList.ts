import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The message search index without GIN's pending list (`fastupdate = off`). With it, inserts
 * append to an unsorted list that every search must scan, and the insert that fills it (4 MB)
 * merges it into the index while its sender waits: measured, sends paused for 100–360 ms now and
 * then and searches slowed 2–5× after a busy hour (docs/performance.md). Without it, each insert
 * updates the index itself: a steady, small cost instead.
 */
export class SearchIndexNoPendingList1765200000000 implements MigrationInterface {
  name = 'SearchIndexNoPendingList1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER INDEX "messages_search_idx" SET (fastupdate = off)`);
    // What is already pending is merged now, not left for searches to scan.
    await q.query(`SELECT gin_clean_pending_list('messages_search_idx'::regclass)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER INDEX "messages_search_idx" RESET (fastupdate)`);
  }
}
