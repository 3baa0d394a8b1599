import { ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import type { Post } from './entities/post.entity.js';
import { PostsRepository } from './posts.repository.js';

/** The rules of posts: anyone signed in reads them; only the author changes or removes one. */
@Injectable()
export class PostsService {
  constructor(private readonly posts: PostsRepository) {}

  create(authorId: number, input: { title: string; content: string }): Promise<Post> {
    return this.posts.create(authorId, input);
  }

  /** Every post (of `author`), oldest first as the original lists them: the latest `cap`, a page at a time. */
  listAll(options: { cap: number; author?: string }): AsyncGenerator<Post[]> {
    return this.posts.latestOldestFirst(options);
  }

  /** Newest first, bounded; `before` is the keyset cursor; `author` filters by username (any case). */
  list(options: { limit: number; before?: number; author?: string }): Promise<Post[]> {
    return this.posts.page(options);
  }

  /** The latest posts of several authors at once (one query), oldest first per author (as the original lists them). */
  latestByAuthors(authorIds: number[], perAuthor: number): Promise<Map<number, Post[]>> {
    return this.posts.latestByAuthors(authorIds, perAuthor);
  }

  async get(id: number): Promise<Post> {
    const post = await this.posts.findById(id);
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
    await this.posts.delete(post.id);
  }

  private async getOwned(id: number, userId: number): Promise<Post> {
    const post = await this.get(id);
    if (post.authorId !== userId) throw new ForbiddenException('Only the author may change this post');
    return post;
  }
}
