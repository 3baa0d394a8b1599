import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Query, Req, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiForbiddenResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentUser, type AuthenticatedUser } from '../common/decorators/current-user.decorator.js';
import { ErrorResponseDto } from '../common/errors/error-response.dto.js';
import { setNextLink } from '../common/http/absolute-url.js';
import { sendJsonArray } from '../common/http/json-array-stream.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import { IdParamPipe } from '../common/http/id-param.pipe.js';
import { CreatePostDto, ListPostsQueryDto, PostDto, POSTS_PAGE_DEFAULT, UpdatePostDto } from './dto/post.dto.js';
import { toPostDto } from './post.mappers.js';
import { PostsService } from './posts.service.js';

@ApiTags('posts')
@Controller('profiles/api/posts')
export class PostsController {
  constructor(
    private readonly posts: PostsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * All users' posts (`author=<username>` filters). Without `limit` or `before`: every post,
   * oldest first, as the original lists them (at most the latest `LIST_MAX_ITEMS`, default
   * 10,000). With them: newest first, at most `limit` (default 50, max 200), and `before=<id>`
   * pages back (the `Link: rel="next"` header carries it).
   */
  @Get()
  @ApiOperation({ summary: 'List posts' })
  @ApiOkResponse({ type: [PostDto] })
  async list(@Query() query: ListPostsQueryDto, @Req() request: Request, @Res() response: Response): Promise<void> {
    if (query.limit === undefined && query.before === undefined) {
      return sendJsonArray(response, this.posts.listAll({ cap: this.config.listMaxItems, author: query.author }), toPostDto);
    }
    const limit = query.limit ?? POSTS_PAGE_DEFAULT;
    const posts = await this.posts.list({ limit, before: query.before, author: query.author });
    if (posts.length === limit) {
      setNextLink(request, response, { before: String(posts[posts.length - 1].id) });
    }
    response.json(posts.map(toPostDto));
  }

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Create a post as the current user' })
  @ApiCreatedResponse({ type: PostDto })
  async create(@CurrentUser() user: AuthenticatedUser, @Body() body: CreatePostDto): Promise<PostDto> {
    return toPostDto(await this.posts.create(user.id, body));
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a post' })
  @ApiOkResponse({ type: PostDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async get(@Param('id', new IdParamPipe('Post')) id: number): Promise<PostDto> {
    return toPostDto(await this.posts.get(id));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Edit a post (author only)' })
  @ApiOkResponse({ type: PostDto })
  @ApiForbiddenResponse({ type: ErrorResponseDto, description: 'Not the author' })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async update(@CurrentUser() user: AuthenticatedUser, @Param('id', new IdParamPipe('Post')) id: number, @Body() body: UpdatePostDto): Promise<PostDto> {
    return toPostDto(await this.posts.update(id, user.id, body));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a post (author only)' })
  @ApiNoContentResponse()
  @ApiForbiddenResponse({ type: ErrorResponseDto, description: 'Not the author' })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async remove(@CurrentUser() user: AuthenticatedUser, @Param('id', new IdParamPipe('Post')) id: number): Promise<void> {
    await this.posts.remove(id, user.id);
  }
}
