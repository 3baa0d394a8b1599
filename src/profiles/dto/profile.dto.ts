import { IsEmail, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { Omittable } from '../../common/validation/omittable.decorator.js';
import { PostDto } from '../../posts/dto/post.dto.js';
import { USERNAME_PATTERN } from '../../users/dto/register.dto.js';

export const PROFILE_POSTS_LIMIT = 50;
export const PROFILE_FRIENDS_LIMIT = 1000;

export class ProfileDetailsDto {
  /** Picture URL: `/media/user_images/…` (uploaded, or `default.jpg`) or an external URL given at registration. */
  image: string;
  /** Null until the user sets one. */
  bio: string | null;
  /** Ids of the user's friends (at most 1000). */
  friends: number[];
}

export class ProfileDto {
  id: number;
  username: string;
  email: string;
  profile: ProfileDetailsDto;
  /** The user's latest posts, newest first (at most 50; page further with GET /profiles/api/posts/?author=). */
  posts: PostDto[];
}

export class UpdateProfileDto {
  @Omittable()
  @IsString()
  @MaxLength(1000)
  bio?: string;

  @Omittable()
  @IsString()
  @MaxLength(254)
  @IsEmail({}, { message: 'Enter a valid email address.' })
  email?: string;
}

export class FriendRequestDto {
  /** The other user's username. */
  @IsString()
  @Length(1, 150)
  @Matches(USERNAME_PATTERN, { message: 'Enter a valid username.' })
  username: string;
}

export class SearchUserQueryDto {
  /** Exact username (any case). */
  @IsOptional()
  @IsString()
  @MaxLength(150)
  username?: string;
}
