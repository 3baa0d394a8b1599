import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** The `posts` table. */
@Injectable()
export class PostsRepository {
  /** Removes every post of an author (account deletion), inside the caller's transaction. */
  async deleteByAuthor(authorId: number, manager: EntityManager): Promise<void> {
    await manager.query(`DELETE FROM posts WHERE author_id = $1`, [authorId]);
  }
}
