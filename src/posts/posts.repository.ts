import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import { Post } from './entities/post.entity.js';

/** The `posts` table: every read and write of posts goes through here. */
@Injectable()
export class PostsRepository {
  constructor(@InjectRepository(Post) private readonly posts: Repository<Post>) {}

  create(authorId: number, input: { title: string; content: string }): Promise<Post> {
    return this.posts.save(this.posts.create({ authorId, title: input.title, content: input.content }));
  }

  save(post: Post): Promise<Post> {
    return this.posts.save(post);
  }

  findById(id: number): Promise<Post | null> {
    return this.posts.findOne({ where: { id } });
  }

  async delete(id: number): Promise<void> {
    await this.posts.delete({ id });
  }

  /** Removes every post of an author (account deletion), inside the caller's transaction. */
  async deleteByAuthor(authorId: number, manager: EntityManager): Promise<void> {
    await manager.query(`DELETE FROM posts WHERE author_id = $1`, [authorId]);
  }

  /** The latest `cap` posts (of `author`), oldest first, read `pageSize` at a time by keyset on the primary key. */
  async *latestOldestFirst(options: { cap: number; author?: string }, pageSize = 1000): AsyncGenerator<Post[]> {
    // The oldest post of the latest `cap`: where the ascending walk starts.
    const start = this.filtered(options.author).select('p.id', 'id').orderBy('p.id', 'DESC').offset(options.cap - 1).limit(1);
    const first = await start.getRawOne<{ id: number }>();
    let after = first ? first.id - 1 : 0;
    for (;;) {
      const page = await this.filtered(options.author).andWhere('p.id > :after', { after }).orderBy('p.id', 'ASC').limit(pageSize).getMany();
      if (page.length) yield page;
      if (page.length < pageSize) return;
      after = page[page.length - 1].id;
    }
  }

  /** Newest first, at most `limit`, older than `before`; `author` filters by username (any case). */
  page(options: { limit: number; before?: number; author?: string }): Promise<Post[]> {
    const query = this.filtered(options.author).orderBy('p.id', 'DESC').limit(options.limit);
    if (options.before !== undefined) query.andWhere('p.id < :before', { before: options.before });
    return query.getMany();
  }

  /** The latest `perAuthor` posts of each author, in one query (a lateral join per author), oldest first per author. */
  async latestByAuthors(authorIds: number[], perAuthor: number): Promise<Map<number, Post[]>> {
    const byAuthor = new Map<number, Post[]>(authorIds.map((id) => [id, []]));
    if (!authorIds.length) return byAuthor;
    const rows: Array<{ id: number; author_id: number; title: string; content: string; created_at: Date }> = await this.posts.query(
      `SELECT p.id, p.author_id, p.title, p.content, p.created_at
       FROM unnest($1::int[]) AS a(id)
       CROSS JOIN LATERAL (
         SELECT id, author_id, title, content, created_at FROM posts WHERE author_id = a.id ORDER BY id DESC LIMIT $2
       ) p
       ORDER BY p.author_id, p.id`,
      [authorIds, perAuthor],
    );
    for (const row of rows) {
      byAuthor.get(row.author_id)?.push(
        Object.assign(new Post(), { id: row.id, authorId: row.author_id, title: row.title, content: row.content, createdAt: new Date(row.created_at) }),
      );
    }
    return byAuthor;
  }

  private filtered(author: string | undefined) {
    const query = this.posts.createQueryBuilder('p');
    if (author !== undefined) query.innerJoin('p.author', 'a').andWhere('lower(a.username) = lower(:author)', { author });
    return query;
  }
}
