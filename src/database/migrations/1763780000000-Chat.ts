import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Chat1763780000000 implements MigrationInterface {
  name = 'Chat1763780000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "conversations" (
        "id" integer GENERATED ALWAYS AS IDENTITY NOT NULL,
        "kind" character varying(10) NOT NULL,
        "name" character varying(320) NOT NULL,
        "title" character varying(255),
        "direct_user_low" integer,
        "direct_user_high" integer,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "last_activity_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "message_count" bigint NOT NULL DEFAULT '0',
        CONSTRAINT "conversations_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "conversations_kind_check" CHECK ("kind" IN ('direct', 'group')),
        CONSTRAINT "conversations_direct_pair_check" CHECK (("kind" = 'direct') = ("direct_user_low" IS NOT NULL AND "direct_user_high" IS NOT NULL))
      )`);
    await q.query(`CREATE UNIQUE INDEX "conversations_name_key" ON "conversations" ("name")`);
    await q.query(`CREATE UNIQUE INDEX "conversations_direct_pair_key" ON "conversations" ("direct_user_low", "direct_user_high") WHERE "kind" = 'direct'`);

    await q.query(`
      CREATE TABLE "conversation_members" (
        "conversation_id" integer NOT NULL,
        "user_id" integer NOT NULL,
        "joined_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "last_read_message_id" bigint,
        CONSTRAINT "conversation_members_pkey" PRIMARY KEY ("conversation_id", "user_id"),
        CONSTRAINT "conversation_members_conversation_id_fkey" FOREIGN KEY ("conversation_id") REFERENCES "conversations"("id") ON DELETE CASCADE,
        CONSTRAINT "conversation_members_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE
      )`);
    // "My conversations": by member, then conversation.
    await q.query(`CREATE INDEX "conversation_members_user_id_idx" ON "conversation_members" ("user_id", "conversation_id")`);

    await q.query(`
      CREATE TABLE "messages" (
        "id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
        "conversation_id" integer NOT NULL,
        "sender_id" integer NOT NULL,
        "text" text NOT NULL,
        "client_id" character varying(64),
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "messages_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "messages_conversation_id_fkey" FOREIGN KEY ("conversation_id") REFERENCES "conversations"("id") ON DELETE CASCADE,
        CONSTRAINT "messages_sender_id_fkey" FOREIGN KEY ("sender_id") REFERENCES "users"("id") ON DELETE CASCADE
      )`);
    // History and pages: keyset on (conversation_id, id), never a sort.
    await q.query(`CREATE INDEX "messages_conversation_id_id_idx" ON "messages" ("conversation_id", "id")`);
    await q.query(`CREATE INDEX "messages_sender_id_idx" ON "messages" ("sender_id")`);
    await q.query(`CREATE UNIQUE INDEX "messages_client_id_key" ON "messages" ("conversation_id", "sender_id", "client_id") WHERE "client_id" IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "messages"`);
    await q.query(`DROP TABLE "conversation_members"`);
    await q.query(`DROP TABLE "conversations"`);
  }
}
