import { toPostDto } from '../posts/post.mappers.js';
import type { ProfileDto } from './dto/profile.dto.js';
import type { FullProfile } from './profiles.service.js';

export function toProfileDto(profile: FullProfile): ProfileDto {
  return {
    id: profile.user.id,
    username: profile.user.username,
    email: profile.user.email,
    profile: { image: profile.image, bio: profile.bio, friends: profile.friendIds },
    posts: profile.posts.map(toPostDto),
  };
}
