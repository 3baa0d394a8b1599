import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { copyFile, mkdir, unlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/app-config.js';
import type { ImageType } from './image-type.js';
import { DEFAULT_USER_IMAGE } from '../../users/default-picture.js';

export const MEDIA_URL_PREFIX = '/media/';
export const USER_IMAGES = 'user_images';

/** The repository's `assets/` folder, found from this file whether it runs from src/ or dist/src/. */
function assetsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'assets', USER_IMAGES, 'default.jpg'))) return join(dir, 'assets');
    dir = dirname(dir);
  }
  throw new Error('assets/user_images/default.jpg not found above the app');
}

/** Files under MEDIA_DIR: uploaded profile pictures, plus the default picture copied in at start. */
@Injectable()
export class MediaService implements OnModuleInit {
  private readonly logger = new Logger(MediaService.name);

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  get root(): string {
    return this.config.mediaDir;
  }

  async onModuleInit(): Promise<void> {
    await mkdir(join(this.root, USER_IMAGES), { recursive: true });
    const target = join(this.root, USER_IMAGES, 'default.jpg');
    if (!existsSync(target)) await copyFile(join(assetsDir(), USER_IMAGES, 'default.jpg'), target);
  }

  /** Stores an image under a fresh unguessable name; returns its public URL path. */
  async storeUserImage(userId: number, data: Buffer, type: ImageType): Promise<string> {
    const name = `${userId}-${randomUUID()}.${type.extension}`;
    await writeFile(join(this.root, USER_IMAGES, name), data, { mode: 0o644, flag: 'wx' });
    return `${MEDIA_URL_PREFIX}${USER_IMAGES}/${name}`;
  }

  /** Removes a previously uploaded image; the default picture and external URLs are left alone. */
  async removeUserImage(url: string | null): Promise<void> {
    if (!url || url === DEFAULT_USER_IMAGE) return;
    const match = new RegExp(`^${MEDIA_URL_PREFIX}${USER_IMAGES}/(\\d+-[0-9a-f-]{36}\\.(?:jpg|png|gif|webp))$`).exec(url);
    if (!match) return;
    await unlink(join(this.root, USER_IMAGES, match[1])).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') this.logger.warn(`could not remove ${url}: ${error.message}`);
    });
  }
}
