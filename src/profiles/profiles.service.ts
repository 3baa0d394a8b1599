import { BadRequestException, Inject, Injectable, NotFoundException, UnsupportedMediaTypeException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, QueryFailedError } from 'typeorm';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import { FieldValidationException } from '../common/errors/api-exceptions.js';
import { Post } from '../posts/entities/post.entity.js';
import { PostsService } from '../posts/posts.service.js';
import type { User } from '../users/entities/user.entity.js';
import { UsersRepository } from '../users/users.repository.js';
import { PROFILE_FRIENDS_LIMIT, PROFILE_POSTS_LIMIT } from './dto/profile.dto.js';
import type { Profile } from './entities/profile.entity.js';
import { detectImageType } from './media/image-type.js';
import { normaliseImage } from './media/normalise-image.js';
import { DEFAULT_USER_IMAGE } from '../users/default-picture.js';
import { MediaService } from './media/media.service.js';
import { ProfilesRepository } from './profiles.repository.js';

const EMAIL_TAKEN = 'A user with that email already exists.';

/** A user with profile, friends and latest posts, as the profile routes show it. */
export interface FullProfile {
  user: Pick<User, 'id' | 'username' | 'email'>;
  image: string;
  bio: string | null;
  friendIds: number[];
  posts: Post[];
}

export function pictureOf(profile: Pick<Profile, 'image'> | null | undefined): string {
  return profile?.image ?? DEFAULT_USER_IMAGE;
}

/** The rules of profiles and friendships: one's own profile to edit, friends both ways. */
@Injectable()
export class ProfilesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly profiles: ProfilesRepository,
    private readonly users: UsersRepository,
    private readonly posts: PostsService,
    private readonly media: MediaService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Three queries whatever the numbers of posts and friends: user+profile, friend ids, posts. */
  getFullProfile(userId: number): Promise<FullProfile> {
    return this.loadFullProfile({ id: userId });
  }

  findByUsername(username: string): Promise<FullProfile> {
    return this.loadFullProfile({ username });
  }

  private async loadFullProfile(by: { id: number } | { username: string }): Promise<FullProfile> {
    const found = await this.profiles.findUserWithProfile(by);
    if (!found) throw new NotFoundException('User not found');
    const { user } = found;
    const [friendIds, posts] = await Promise.all([this.profiles.friendIdsOf(user.id, PROFILE_FRIENDS_LIMIT), this.posts.latestByAuthors([user.id], PROFILE_POSTS_LIMIT)]);
    return { user, image: pictureOf(found), bio: found.bio, friendIds, posts: posts.get(user.id) ?? [] };
  }

  /** Bio and email edits, in one transaction; an email taken by someone else → 400 on the field. */
  async update(userId: number, changes: { bio?: string; email?: string }): Promise<FullProfile> {
    await this.dataSource
      .transaction(async (manager) => {
        if (changes.email !== undefined) {
          const email = changes.email.trim();
          if (await this.users.emailTakenByOther(email, userId, manager)) throw FieldValidationException.forField('email', EMAIL_TAKEN);
          await this.users.setEmail(userId, email, manager);
        }
        if (changes.bio !== undefined) await this.profiles.setBio(userId, changes.bio, manager);
      })
      .catch((error: unknown) => {
        if (error instanceof QueryFailedError && (error.driverError as { constraint?: string }).constraint === 'users_email_lower_key') {
          throw FieldValidationException.forField('email', EMAIL_TAKEN);
        }
        throw error;
      });
    return this.getFullProfile(userId);
  }

  /**
   * Stores a new picture (type from its bytes, decoded and encoded again without its metadata),
   * points the profile at it, removes the old file.
   */
  async setImage(userId: number, file: { buffer: Buffer } | undefined): Promise<FullProfile> {
    if (!file?.buffer?.length) throw FieldValidationException.forField('image', 'No image file was submitted (multipart field "image").');
    const type = detectImageType(file.buffer);
    if (!type) throw new UnsupportedMediaTypeException('Upload a JPEG, PNG, GIF or WebP image.');
    const normalised = await normaliseImage(file.buffer, type, this.config.mediaMaxPixels);
    const previous = await this.profiles.imageOf(userId);
    const url = await this.media.storeUserImage(userId, normalised, type);
    try {
      await this.profiles.setImage(userId, url);
    } catch (error) {
      await this.media.removeUserImage(url);
      throw error;
    }
    await this.media.removeUserImage(previous);
    return this.getFullProfile(userId);
  }

  /** Symmetric: both rows are written in one statement. */
  async addFriend(userId: number, username: string): Promise<User> {
    const friend = await this.findFriendCandidate(userId, username);
    if (!(await this.profiles.befriend(userId, friend.id))) throw FieldValidationException.forField('username', `You are already friends with ${friend.username}.`);
    return friend;
  }

  async removeFriend(userId: number, username: string): Promise<User> {
    const friend = await this.findFriendCandidate(userId, username);
    if (!(await this.profiles.unfriend(userId, friend.id))) throw FieldValidationException.forField('username', `${friend.username} is not your friend.`);
    return friend;
  }

  private async findFriendCandidate(userId: number, username: string): Promise<User> {
    const friend = await this.users.findLiveByUsername(username);
    if (!friend) throw FieldValidationException.forField('username', `No user named ${username}.`);
    if (friend.id === userId) throw new BadRequestException('You cannot be your own friend.');
    return friend;
  }
}
