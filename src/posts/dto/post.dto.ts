import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Length, Max, MaxLength, Min } from 'class-validator';
import { IsDbIdQuery } from '../../common/validation/ids.js';
import { Omittable } from '../../common/validation/omittable.decorator.js';
import { NotBlank } from '../../common/validation/not-blank.decorator.js';

export const POSTS_PAGE_DEFAULT = 50;
export const POSTS_PAGE_MAX = 200;

export class PostDto {
  id: number;
  title: string;
  content: string;
  /** ISO 8601, UTC. */
  created_at: string;
}

export class CreatePostDto {
  /** 1 to 255 characters, not blank. */
  @IsString()
  @Length(1, 255)
  @NotBlank()
  title: string;

  /** 1 to 20,000 characters, not blank. */
  @IsString()
  @Length(1, 20000)
  @NotBlank()
  content: string;
}

export class UpdatePostDto {
  @Omittable()
  @IsString()
  @Length(1, 255)
  @NotBlank()
  title?: string;

  @Omittable()
  @IsString()
  @Length(1, 20000)
  @NotBlank()
  content?: string;
}

export class ListPostsQueryDto {
  /** Only this author's posts (exact username, any case). */
  @IsOptional()
  @IsString()
  @MaxLength(150)
  author?: string;

  /** Page size, 1 to 200 (default 50). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(POSTS_PAGE_MAX)
  limit?: number;

  /** Keyset cursor: only posts with a smaller id (older). */
  @IsDbIdQuery()
  before?: number;
}
