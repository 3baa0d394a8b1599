import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Initial1763760000000 implements MigrationInterface {
  name = 'Initial1763760000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "users" (
        "id" integer GENERATED ALWAYS AS IDENTITY NOT NULL,
        "username" character varying(150) NOT NULL,
        "email" character varying(254) NOT NULL,
        "password_hash" character varying(255) NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "users_pkey" PRIMARY KEY ("id")
      )`);
    // text_pattern_ops serves both equality (login, uniqueness) and `LIKE 'prefix%'` (user search).
    await q.query(`CREATE UNIQUE INDEX "users_username_lower_key" ON "users" (lower("username") text_pattern_ops)`);
    await q.query(`CREATE UNIQUE INDEX "users_email_lower_key" ON "users" (lower("email"))`);

    await q.query(`
      CREATE TABLE "profiles" (
        "user_id" integer NOT NULL,
        "bio" text NOT NULL DEFAULT '',
        "image" character varying(2048),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "profiles_pkey" PRIMARY KEY ("user_id"),
        CONSTRAINT "profiles_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE
      )`);

    await q.query(`
      CREATE TABLE "auth_sessions" (
        "id" uuid NOT NULL,
        "user_id" integer NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "revoked_at" TIMESTAMP WITH TIME ZONE,
        "revoked_reason" character varying(32),
        CONSTRAINT "auth_sessions_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "auth_sessions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX "auth_sessions_user_id_idx" ON "auth_sessions" ("user_id")`);

    await q.query(`
      CREATE TABLE "refresh_tokens" (
        "id" uuid NOT NULL,
        "session_id" uuid NOT NULL,
        "token_hash" bytea NOT NULL,
        "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "used_at" TIMESTAMP WITH TIME ZONE,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "refresh_tokens_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "refresh_tokens_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "auth_sessions"("id") ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX "refresh_tokens_session_id_idx" ON "refresh_tokens" ("session_id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "refresh_tokens"`);
    await q.query(`DROP TABLE "auth_sessions"`);
    await q.query(`DROP TABLE "profiles"`);
    await q.query(`DROP TABLE "users"`);
  }
}
