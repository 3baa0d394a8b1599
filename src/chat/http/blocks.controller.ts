import { Body, Controller, Delete, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentUser, type AuthenticatedUser } from '../../common/decorators/current-user.decorator.js';
import { ErrorResponseDto } from '../../common/errors/error-response.dto.js';
import { IdParamPipe } from '../../common/http/id-param.pipe.js';
import { BlocksService } from '../blocks.service.js';
import { BlockDto, BlockUserDto } from './dto/blocks.dto.js';

/**
 * Blocking: a blocked user cannot open a direct conversation with the blocker or send into it
 * (403), cannot add the blocker to a group (400), and sees neither the blocker's presence nor
 * typing. Nothing already sent is hidden; the blocker still reads the conversation.
 */
@ApiTags('conversations (/api/)')
@Controller('api/blocks')
export class BlocksController {
  constructor(private readonly blocks: BlocksService) {}

  @Get()
  @ApiOperation({ summary: 'Whom the caller has blocked, latest first' })
  @ApiOkResponse({ type: [BlockDto] })
  list(@CurrentUser() user: AuthenticatedUser): Promise<BlockDto[]> {
    return this.blocks.list(user.id);
  }

  @Post()
  @ApiOperation({ summary: 'Block a user (201; 200 if already blocked)' })
  @ApiCreatedResponse({ type: BlockDto, description: 'Blocked' })
  @ApiOkResponse({ type: BlockDto, description: 'Was already blocked' })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'No such user, or yourself' })
  async block(@CurrentUser() user: AuthenticatedUser, @Body() body: BlockUserDto, @Res({ passthrough: true }) response: Response): Promise<BlockDto> {
    const { block, created } = await this.blocks.block(user.id, body.user);
    response.status(created ? 201 : 200);
    return block;
  }

  @Delete(':userId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Unblock a user' })
  @ApiNoContentResponse({ description: 'Unblocked' })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'That user is not blocked' })
  async unblock(@CurrentUser() user: AuthenticatedUser, @Param('userId', new IdParamPipe('Block')) userId: number): Promise<void> {
    await this.blocks.unblock(user.id, userId);
  }
}
