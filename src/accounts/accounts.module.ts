import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { ChatModule } from '../chat/chat.module.js';
import { PostsModule } from '../posts/posts.module.js';
import { ProfilesModule } from '../profiles/profiles.module.js';
import { UsersModule } from '../users/users.module.js';
import { AccountDeletionService } from './account-deletion.service.js';
import { AccountRegistrationService } from './account-registration.service.js';
import { AccountsController } from './accounts.controller.js';

/** What spans every module's data: creating and deleting accounts. Nothing imports this module. */
@Module({
  imports: [UsersModule, AuthModule, ProfilesModule, PostsModule, ChatModule],
  controllers: [AccountsController],
  providers: [AccountRegistrationService, AccountDeletionService],
})
export class AccountsModule {}
