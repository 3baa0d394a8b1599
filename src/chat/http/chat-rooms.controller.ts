import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentUser, type AuthenticatedUser } from '../../common/decorators/current-user.decorator.js';
import { MessageBudgetResponse, OpensConversation } from './dto/budget-responses.js';
import { ErrorResponseDto } from '../../common/errors/error-response.dto.js';
import { toRoomDto, toRoomMessage } from '../chat.mappers.js';
import { ChatService } from '../chat.service.js';
import { CONVERSATIONS_PAGE_MAX } from '../chat.limits.js';
import { HistoryQueryDto } from './dto/api-chat.dto.js';
import { CreateRoomDto, PostRoomMessageDto, RoomDto, RoomMessageDto } from './dto/messenger.dto.js';
import { answerHistory } from './history-response.js';

@ApiTags('chat rooms (/messenger/)')
@Controller('messenger/api')
export class ChatRoomsController {
  constructor(private readonly chat: ChatService) {}

  @OpensConversation('chatrooms', RoomDto, { existed: 'The room already existed' })
  @ApiOperation({ summary: 'Open the direct room with a user (201 created, 200 existing)' })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'No user with that username (`{"recipient": ["Recipient does not exist."]}`), or yourself' })
  async open(@CurrentUser() user: AuthenticatedUser, @Body() body: CreateRoomDto, @Res({ passthrough: true }) response: Response): Promise<RoomDto> {
    const { conversation, created } = await this.chat.openDirectByUsername(user, body.recipient);
    response.status(created ? 201 : 200);
    return toRoomDto(conversation, user.id);
  }

  /**
   * The contract calls this "all chats". Listing other people's rooms would reveal who talks to
   * whom, so it returns the caller's rooms, like `/messenger/api/user/chatrooms/` (most recent
   * activity first, at most 100).
   */
  @Get('chatrooms')
  @ApiOperation({ summary: "The caller's chat rooms (never other people's)" })
  @ApiOkResponse({ type: [RoomDto] })
  listAll(@CurrentUser() user: AuthenticatedUser): Promise<RoomDto[]> {
    return this.rooms(user);
  }

  @Get('user/chatrooms')
  @ApiOperation({ summary: "The caller's chat rooms" })
  @ApiOkResponse({ type: [RoomDto] })
  listMine(@CurrentUser() user: AuthenticatedUser): Promise<RoomDto[]> {
    return this.rooms(user);
  }

  /**
   * Oldest first. Without `limit`, `before` or `after`: the whole room, as the original answers
   * it (at most its latest `LIST_MAX_ITEMS`, default 10,000). With them: the latest `limit`
   * (default 50, max 200), and `before`/`after` walk the history.
   */
  @Get('chatrooms/:room/messages')
  @ApiOperation({ summary: 'Messages of a room' })
  @ApiOkResponse({ type: [RoomMessageDto] })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such room, or not a member' })
  async history(@CurrentUser() user: AuthenticatedUser, @Param('room') room: string, @Query() query: HistoryQueryDto, @Res() response: Response): Promise<void> {
    await answerHistory(this.chat, response, { userId: user.id, reference: { name: room }, query, shape: 'room' });
  }

  @Post('chatrooms/:room/messages')
  @MessageBudgetResponse()
  @ApiOperation({ summary: 'Send a message to a room' })
  @ApiCreatedResponse({ type: RoomMessageDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such room, or not a member (rooms are never created here)' })
  async send(@CurrentUser() user: AuthenticatedUser, @Param('room') room: string, @Body() body: PostRoomMessageDto, @Res({ passthrough: true }) response: Response): Promise<RoomMessageDto> {
    const { message, created } = await this.chat.sendTo(user.id, { name: room }, body.content, body.client_id, { field: 'content', replyTo: body.reply_to });
    response.status(created ? 201 : 200);
    return toRoomMessage(message);
  }

  private async rooms(user: AuthenticatedUser): Promise<RoomDto[]> {
    const page = await this.chat.listConversations(user.id, { limit: CONVERSATIONS_PAGE_MAX, previewSize: 0 });
    return page.map(({ conversation }) => toRoomDto(conversation, user.id));
  }
}
