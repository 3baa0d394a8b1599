import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What an import from a Django deployment of either original needs (issue 19, docs/switching.md):
 * - `users.is_active`: Django's active flag. An inactive account cannot log in nor use its tokens,
 *   as in Django; every account made by Palaver is active.
 * - Emails unique only when present: Django's `auth_user.email` may be blank, for any number of
 *   users. Palaver's own registration still requires an email.
 * - `django_imports`: one row per run (source, layout, its token profile, start, end, counts). The start of the latest
 *   finished run bounds which of the original's tokens are still accepted (`DJANGO_SECRET_KEY`).
 * - `django_import_keys`: the Palaver id given to a source row whose key is not an integer (the
 *   seed-000 variants with UUID keys), so a second run finds what the first imported.
 * - `legacy_tokens_spent`: the `jti` of every original refresh token exchanged for a Palaver pair
 *   (or blacklisted in the original), so that each is used once, as with rotation.
 */
export class DjangoImport1765400000000 implements MigrationInterface {
  name = 'DjangoImport1765400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "users" ADD "is_active" boolean NOT NULL DEFAULT true`);
    await q.query(`DROP INDEX "users_email_lower_key"`);
    await q.query(`CREATE UNIQUE INDEX "users_email_lower_key" ON "users" (lower("email")) WHERE "email" <> ''`);
    await q.query(
      `CREATE TABLE "django_imports" (
        "id" integer GENERATED ALWAYS AS IDENTITY CONSTRAINT "django_imports_pkey" PRIMARY KEY,
        "source" character varying(500) NOT NULL,
        "layout" character varying(64) NOT NULL,
        "token_profile" character varying(16) NOT NULL DEFAULT 'api',
        "started_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "finished_at" TIMESTAMP WITH TIME ZONE,
        "counts" jsonb NOT NULL DEFAULT '{}'::jsonb
      )`,
    );
    await q.query(
      `CREATE TABLE "django_import_keys" (
        "kind" character varying(16) NOT NULL,
        "source_key" character varying(64) NOT NULL,
        "palaver_id" bigint NOT NULL,
        CONSTRAINT "django_import_keys_pkey" PRIMARY KEY ("kind", "source_key")
      )`,
    );
    await q.query(
      `CREATE TABLE "legacy_tokens_spent" (
        "jti" character varying(255) NOT NULL CONSTRAINT "legacy_tokens_spent_pkey" PRIMARY KEY,
        "spent_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "expires_at" TIMESTAMP WITH TIME ZONE
      )`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "legacy_tokens_spent"`);
    await q.query(`DROP TABLE "django_import_keys"`);
    await q.query(`DROP TABLE "django_imports"`);
    await q.query(`DROP INDEX "users_email_lower_key"`);
    // Blank emails of imported accounts cannot be made unique again: give each a placeholder.
    await q.query(`UPDATE "users" SET "email" = 'user-' || "id" || '@import.invalid' WHERE "email" = ''`);
    await q.query(`CREATE UNIQUE INDEX "users_email_lower_key" ON "users" (lower("email"))`);
    await q.query(`ALTER TABLE "users" DROP COLUMN "is_active"`);
  }
}
