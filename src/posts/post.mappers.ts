import type { PostDto } from './dto/post.dto.js';
import type { Post } from './entities/post.entity.js';

export function toPostDto(post: Post): PostDto {
  return { id: post.id, title: post.title, content: post.content, created_at: post.createdAt.toISOString() };
}
