import { Controller, Get, Inject, Query, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { setNextLink } from '../common/http/absolute-url.js';
import { sendJsonArray } from '../common/http/json-array-stream.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import { ListUsersQueryDto, USERS_PAGE_DEFAULT } from './dto/list-users.dto.js';
import { UserSummaryDto } from './dto/user.dto.js';
import { toUserSummary } from './user.mappers.js';
import { UsersService } from './users.service.js';

@ApiTags('accounts')
@Controller()
export class UsersController {
  constructor(
    private readonly users: UsersService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Users in id order. Without `limit` or `after`: all of them, as the original's unpaginated list
   * (at most `LIST_MAX_ITEMS`, default 10,000). With them: at most `limit` (default 50, max 200),
   * and when there may be more, a `Link: <…?after=ID>; rel="next"` header points to the next page.
   */
  @Get('accounts/api/users')
  @ApiOperation({ summary: 'List or search users' })
  @ApiOkResponse({ type: [UserSummaryDto] })
  async list(@Query() query: ListUsersQueryDto, @Req() request: Request, @Res() response: Response): Promise<void> {
    if (query.limit === undefined && query.after === undefined) {
      return sendJsonArray(response, this.users.listAll({ search: query.search, cap: this.config.listMaxItems }), toUserSummary);
    }
    const limit = query.limit ?? USERS_PAGE_DEFAULT;
    const users = await this.users.list({ search: query.search, limit, after: query.after });
    if (users.length === limit) {
      setNextLink(request, response, { after: String(users[users.length - 1].id) });
    }
    response.json(users.map(toUserSummary));
  }
}
