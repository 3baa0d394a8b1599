import { ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { Post } from './entities/post.entity.js';

@Injectable()
export class PostsService {
  constructor(@InjectRepository(Post) private readonly posts: Repository<Post>) {}

  create(authorId: number, input: { title: string; content: string }): Promise<Post> {
    return this.posts.save(this.posts.create({ authorId, title: input.title, content: input.content }));
  }

  /**
   * Every post (of `author`), oldest first as the original lists them: the latest `cap`, read
   * 1,000 at a time by keyset on the primary key.
   */
  async *listAll(options: { cap: number; author?: string }, pageSize = 1000): AsyncGenerator<Post[]> {
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

  private filtered(author: string | undefined) {
    const query = this.posts.createQueryBuilder('p');
    if (author !== undefined) query.innerJoin('p.author', 'a').andWhere('lower(a.username) = lower(:author)', { author });
    return query;
  }

  /** Newest first, bounded; `before` is the keyset cursor; `author` filters by username (any case). */
  list(options: { limit: number; before?: number; author?: string }): Promise<Post[]> {
    const query = this.filtered(options.author).orderBy('p.id', 'DESC').limit(options.limit);
    if (options.before !== undefined) query.andWhere('p.id < :before', { before: options.before });
    return query.getMany();
  }

  /** The latest posts of several authors at once (one query), oldest first per author (as the original lists them). */
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

  async get(id: number): Promise<Post> {
    const post = await this.posts.findOne({ where: { id } });
    if (!post) throw new NotFoundException('Post not found');
    return post;
  }

  /** Only the author may change a post: 404 when it does not exist, 403 for anyone else. */
  async update(id: number, userId: number, changes: { title?: string; content?: string }): Promise<Post> {
    const post = await this.getOwned(id, userId);
    if (changes.title !== undefined) post.title = changes.title;
    if (changes.content !== undefined) post.content = changes.content;
    return this.posts.save(post);
  }

  async remove(id: number, userId: number): Promise<void> {
    const post = await this.getOwned(id, userId);
    await this.posts.delete({ id: post.id });
  }

  private async getOwned(id: number, userId: number): Promise<Post> {
    const post = await this.get(id);
    if (post.authorId !== userId) throw new ForbiddenException('Only the author may change this post');
    return post;
  }
}
