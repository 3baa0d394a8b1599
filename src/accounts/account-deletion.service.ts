import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { SessionsRepository } from '../auth/sessions.repository.js';
import { LoginThrottleService } from '../auth/throttle/login-throttle.service.js';
import { BlocksRepository } from '../chat/persistence/blocks.repository.js';
import { ConversationsRepository } from '../chat/persistence/conversations.repository.js';
import { FieldValidationException } from '../common/errors/api-exceptions.js';
import { DomainEvents } from '../events/domain-events.js';
import { PostsRepository } from '../posts/posts.repository.js';
import { MediaService } from '../profiles/media/media.service.js';
import { ProfilesRepository } from '../profiles/profiles.repository.js';
import { PasswordHasher } from '../users/password-hasher.service.js';
import { UsersRepository } from '../users/users.repository.js';

/**
 * The one owner of deleting an account: it spans every module's tables, so it runs one
 * transaction through each module's repository, and no module writes another's tables.
 */
@Injectable()
export class AccountDeletionService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UsersRepository,
    private readonly profiles: ProfilesRepository,
    private readonly posts: PostsRepository,
    private readonly sessions: SessionsRepository,
    private readonly conversations: ConversationsRepository,
    private readonly blocks: BlocksRepository,
    private readonly hasher: PasswordHasher,
    private readonly throttle: LoginThrottleService,
    private readonly media: MediaService,
    private readonly events: DomainEvents,
  ) {}

  /**
   * Deletes the caller's account once the password is confirmed (wrong passwords count as failed
   * logins, so this cannot be used to guess one). Removed: profile text and picture, posts,
   * friendships, blocks (by and of the user), sessions and refresh tokens, conversation memberships. Kept: the messages the
   * user sent, which belong to other people's conversations too, under the scrubbed sender.
   * Access tokens stop at once (the guard's lookup skips deleted accounts) and live connections
   * close (`account.deleted`).
   */
  async deleteAccount(userId: number, password: string, clientIp: string): Promise<void> {
    const manager = this.dataSource.manager;
    const account = await this.users.credentialsOf(userId, manager);
    if (!account) throw new NotFoundException('User not found');
    await this.throttle.reserve(account.username, clientIp);
    if (!(await this.hasher.verify(account.passwordHash, password))) throw FieldValidationException.forField('password', 'Incorrect password.');
    await this.throttle.succeeded(account.username, clientIp);
    const image = await this.profiles.imageOf(userId, manager);
    await this.dataSource.transaction(async (transaction) => {
      await this.posts.deleteByAuthor(userId, transaction);
      await this.profiles.forgetUser(userId, transaction);
      await this.sessions.deleteAllOf(userId, transaction);
      await this.conversations.removeMemberEverywhere(userId, transaction);
      await this.blocks.forgetUser(userId, transaction);
      await this.users.scrub(userId, transaction);
    });
    await this.media.removeUserImage(image);
    this.events.emit('account.deleted', { userId });
  }
}
