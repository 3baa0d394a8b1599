import type { MigrationInterface, QueryRunner } from 'typeorm';

/** `user_blocks`: who has blocked whom (issue 16). */
export class Blocks1765000000000 implements MigrationInterface {
  name = 'Blocks1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "user_blocks" (
         "blocker_id" integer NOT NULL,
         "blocked_id" integer NOT NULL,
         "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
         CONSTRAINT "user_blocks_pkey" PRIMARY KEY ("blocker_id", "blocked_id"),
         CONSTRAINT "user_blocks_not_self" CHECK ("blocker_id" <> "blocked_id"),
         CONSTRAINT "user_blocks_blocker_id_fkey" FOREIGN KEY ("blocker_id") REFERENCES "users"("id") ON DELETE CASCADE,
         CONSTRAINT "user_blocks_blocked_id_fkey" FOREIGN KEY ("blocked_id") REFERENCES "users"("id") ON DELETE CASCADE
       )`,
    );
    await q.query(`CREATE INDEX "user_blocks_blocked_id_idx" ON "user_blocks" ("blocked_id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "user_blocks"`);
  }
}
