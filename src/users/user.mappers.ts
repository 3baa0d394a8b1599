import { DEFAULT_USER_IMAGE } from './default-picture.js';
import type { User } from './entities/user.entity.js';
import type { LoginUserDto, UserSummaryDto } from './dto/user.dto.js';
import type { LoginAccount } from './users.repository.js';

export function toUserSummary(user: Pick<User, 'id' | 'username' | 'email'>): UserSummaryDto {
  return { id: user.id, username: user.username, email: user.email };
}

export function toLoginUser(user: Pick<LoginAccount, 'id' | 'username' | 'email' | 'bio' | 'image'>): LoginUserDto {
  return { id: user.id, username: user.username, email: user.email, bio: user.bio ?? '', profile_picture: user.image ?? DEFAULT_USER_IMAGE };
}
