import { Module } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import { TypeOrmModule } from '@nestjs/typeorm';
import { memoryStorage } from 'multer';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import { PostsModule } from '../posts/posts.module.js';
import { UsersModule } from '../users/users.module.js';
import { Friendship } from './entities/friendship.entity.js';
import { Profile } from './entities/profile.entity.js';
import { MediaController } from './media/media.controller.js';
import { MediaService } from './media/media.service.js';
import { ProfilesController } from './profiles.controller.js';
import { ProfilesRepository } from './profiles.repository.js';
import { ProfilesService } from './profiles.service.js';

@Module({
  imports: [
    TypeOrmModule.forFeature([Profile, Friendship]),
    PostsModule,
    UsersModule,
    MulterModule.registerAsync({
      inject: [APP_CONFIG],
      // In memory: the bytes are checked before anything touches the disk. Over the limit, multer
      // stops reading and Nest answers 413.
      useFactory: (config: AppConfig) => ({ storage: memoryStorage(), limits: { fileSize: config.mediaMaxBytes, files: 1, fields: 10, parts: 12 } }),
    }),
  ],
  controllers: [ProfilesController, MediaController],
  providers: [ProfilesService, ProfilesRepository, MediaService],
  exports: [ProfilesService, ProfilesRepository, MediaService],
})
export class ProfilesModule {}
