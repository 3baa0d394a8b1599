import type { MigrationInterface, QueryRunner } from 'typeorm';

export class PostsAndFriendships1763770000000 implements MigrationInterface {
  name = 'PostsAndFriendships1763770000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "posts" (
        "id" integer GENERATED ALWAYS AS IDENTITY NOT NULL,
        "author_id" integer NOT NULL,
        "title" character varying(255) NOT NULL,
        "content" text NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "posts_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "posts_author_id_fkey" FOREIGN KEY ("author_id") REFERENCES "users"("id") ON DELETE CASCADE
      )`);
    // Serves "posts of an author, newest first" (profile, ?author=) as a backward index scan.
    await q.query(`CREATE INDEX "posts_author_id_id_idx" ON "posts" ("author_id", "id")`);

    await q.query(`
      CREATE TABLE "friendships" (
        "user_id" integer NOT NULL,
        "friend_id" integer NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "friendships_pkey" PRIMARY KEY ("user_id", "friend_id"),
        CONSTRAINT "friendships_not_self" CHECK ("user_id" <> "friend_id"),
        CONSTRAINT "friendships_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE,
        CONSTRAINT "friendships_friend_id_fkey" FOREIGN KEY ("friend_id") REFERENCES "users"("id") ON DELETE CASCADE
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "friendships"`);
    await q.query(`DROP TABLE "posts"`);
  }
}
