import { BadRequestException, Inject, Injectable, NotFoundException, UnsupportedMediaTypeException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, QueryFailedError } from 'typeorm';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import { FieldValidationException } from '../common/errors/api-exceptions.js';
import { Post } from '../posts/entities/post.entity.js';
import { PostsService } from '../posts/posts.service.js';
import { User } from '../users/entities/user.entity.js';
import { PROFILE_FRIENDS_LIMIT, PROFILE_POSTS_LIMIT } from './dto/profile.dto.js';
import { Friendship } from './entities/friendship.entity.js';
import { Profile } from './entities/profile.entity.js';
import { detectImageType } from './media/image-type.js';
import { normaliseImage } from './media/normalise-image.js';
import { DEFAULT_USER_IMAGE } from '../users/default-picture.js';
import { MediaService } from './media/media.service.js';

/** A user with profile, friends and latest posts, as the profile routes show it. */
export interface FullProfile {
  user: User;
  image: string;
  bio: string | null;
  friendIds: number[];
  posts: Post[];
}

export function pictureOf(profile: Pick<Profile, 'image'> | null | undefined): string {
  return profile?.image ?? DEFAULT_USER_IMAGE;
}

@Injectable()
export class ProfilesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly posts: PostsService,
    private readonly media: MediaService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Three queries whatever the numbers of posts and friends: user+profile, friend ids, posts. */
  getFullProfile(userId: number): Promise<FullProfile> {
    return this.loadFullProfile('u.id = :userId', { userId });
  }

  findByUsername(username: string): Promise<FullProfile> {
    return this.loadFullProfile('lower(u.username) = lower(:username)', { username });
  }

  private async loadFullProfile(condition: string, parameters: Record<string, unknown>): Promise<FullProfile> {
    // One statement (findOne with relations would add a DISTINCT-ids query).
    const user = await this.dataSource.getRepository(User).createQueryBuilder('u').leftJoinAndSelect('u.profile', 'p').where(`${condition} AND u.deleted_at IS NULL`, parameters).getOne();
    if (!user) throw new NotFoundException('User not found');
    return this.complete(user);
  }

  /** Bio and email edits; an email taken by someone else → 400 on the field. */
  async update(userId: number, changes: { bio?: string; email?: string }): Promise<FullProfile> {
    await this.dataSource.transaction(async (manager) => {
      if (changes.email !== undefined) {
        const email = changes.email.trim();
        const taken = await manager
          .getRepository(User)
          .createQueryBuilder('u')
          .where('lower(u.email) = lower(:email) AND u.id <> :userId', { email, userId })
          .getExists();
        if (taken) throw FieldValidationException.forField('email', 'A user with that email already exists.');
        await manager.update(User, { id: userId }, { email });
      }
      if (changes.bio !== undefined) {
        await manager.upsert(Profile, { userId, bio: changes.bio }, ['userId']);
      }
    }).catch((error: unknown) => {
      if (error instanceof QueryFailedError && (error.driverError as { constraint?: string }).constraint === 'users_email_lower_key') {
        throw FieldValidationException.forField('email', 'A user with that email already exists.');
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
    const previous = await this.dataSource.getRepository(Profile).findOne({ where: { userId } });
    const url = await this.media.storeUserImage(userId, normalised, type);
    try {
      await this.dataSource.getRepository(Profile).upsert({ userId, image: url }, ['userId']);
    } catch (error) {
      await this.media.removeUserImage(url);
      throw error;
    }
    await this.media.removeUserImage(previous?.image ?? null);
    return this.getFullProfile(userId);
  }

  /** Symmetric: both rows are written in one statement. */
  async addFriend(userId: number, username: string): Promise<User> {
    const friend = await this.findFriendCandidate(userId, username);
    const inserted: unknown[] = await this.dataSource.query(
      `INSERT INTO friendships (user_id, friend_id) VALUES ($1, $2), ($2, $1) ON CONFLICT DO NOTHING RETURNING user_id`,
      [userId, friend.id],
    );
    if (!inserted.length) throw FieldValidationException.forField('username', `You are already friends with ${friend.username}.`);
    return friend;
  }

  async removeFriend(userId: number, username: string): Promise<User> {
    const friend = await this.findFriendCandidate(userId, username);
    const result = await this.dataSource.getRepository(Friendship).delete([
      { userId, friendId: friend.id },
      { userId: friend.id, friendId: userId },
    ]);
    if (!result.affected) throw FieldValidationException.forField('username', `${friend.username} is not your friend.`);
    return friend;
  }

  private async findFriendCandidate(userId: number, username: string): Promise<User> {
    const friend = await this.dataSource
      .getRepository(User)
      .createQueryBuilder('u')
      .where('lower(u.username) = lower(:username) AND u.deleted_at IS NULL', { username })
      .getOne();
    if (!friend) throw FieldValidationException.forField('username', `No user named ${username}.`);
    if (friend.id === userId) throw new BadRequestException('You cannot be your own friend.');
    return friend;
  }

  private async complete(user: User): Promise<FullProfile> {
    const [friends, posts] = await Promise.all([
      this.dataSource.getRepository(Friendship).find({
        where: { userId: user.id },
        select: { friendId: true },
        order: { friendId: 'ASC' },
        take: PROFILE_FRIENDS_LIMIT,
      }),
      this.posts.latestByAuthors([user.id], PROFILE_POSTS_LIMIT),
    ]);
    return {
      user,
      image: pictureOf(user.profile),
      bio: user.profile?.bio ?? null,
      friendIds: friends.map((f) => f.friendId),
      posts: posts.get(user.id) ?? [],
    };
  }
}
