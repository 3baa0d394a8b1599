import { Controller, Get, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ErrorResponseDto } from '../../common/errors/error-response.dto.js';
import type { Response } from 'express';
import { Public } from '../../common/decorators/public.decorator.js';
import { MediaService } from './media.service.js';

/** One path segment of a media file: no dot files, no separators, nothing to climb out with. */
const SAFE_SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}$/;
const TYPES: Record<string, string> = { jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', gif: 'image/gif', webp: 'image/webp' };

@ApiTags('media')
@Public()
@Controller('media')
export class MediaController {
  constructor(private readonly media: MediaService) {}

  /**
   * Uploaded pictures, read-only and public (so `<img>` tags work without a token). Only image
   * types are served, with `X-Content-Type-Options: nosniff` and a CSP that forbids everything.
   */
  @Get('*path')
  @ApiOperation({ summary: 'Download a media file (profile pictures)' })
  @ApiParam({ name: 'path', type: String, description: 'The file path as given in `profile_picture`, e.g. `user_images/1-….png`', example: 'user_images/default.jpg' })
  @ApiOkResponse({
    description: 'The file',
    content: Object.fromEntries([...new Set(Object.values(TYPES))].map((type) => [type, { schema: { type: 'string', format: 'binary' } }])),
  })
  @ApiResponse({ status: 304, description: 'Not modified (conditional request with If-None-Match or If-Modified-Since)' })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such file, or not a servable image path' })
  serve(@Param('path') path: string[] | string, @Res() response: Response): Promise<void> {
    const segments = Array.isArray(path) ? path : String(path).split('/');
    const extension = segments.at(-1)?.split('.').pop()?.toLowerCase() ?? '';
    if (!segments.length || segments.length > 4 || !segments.every((s) => SAFE_SEGMENT.test(s)) || !TYPES[extension]) {
      throw new NotFoundException('File not found');
    }
    return new Promise((resolve, reject) => {
      response.sendFile(
        segments.join('/'),
        {
          root: this.media.root,
          dotfiles: 'deny',
          maxAge: '1h',
          headers: { 'Content-Type': TYPES[extension], 'X-Content-Type-Options': 'nosniff', 'Content-Security-Policy': "default-src 'none'", 'Cross-Origin-Resource-Policy': 'cross-origin' },
        },
        (error?: Error & { status?: number; statusCode?: number }) => {
          if (!error) return resolve();
          const status = error.status ?? error.statusCode;
          if (status === 404 || status === 403 || (error as NodeJS.ErrnoException).code === 'ENOENT') reject(new NotFoundException('File not found'));
          else reject(error);
        },
      );
    });
  }
}
