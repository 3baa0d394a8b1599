import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `users.deleted_at`: a deleted account keeps its row, scrubbed (see ProfilesService.deleteAccount),
 * so the messages it sent stay in other people's conversations; everything else it owned is gone.
 */
export class AccountDeletion1763800000000 implements MigrationInterface {
  name = 'AccountDeletion1763800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "users" ADD "deleted_at" TIMESTAMP WITH TIME ZONE`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "users" DROP COLUMN "deleted_at"`);
  }
}
