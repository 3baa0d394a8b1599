import { Body, Controller, Get, HttpCode, NotFoundException, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBody, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentUser, type AuthenticatedUser } from '../../common/decorators/current-user.decorator.js';
import { FieldValidationException } from '../../common/errors/api-exceptions.js';
import { MessageBudgetResponse, OpensConversation } from './dto/budget-responses.js';
import { ErrorResponseDto } from '../../common/errors/error-response.dto.js';
import { absoluteUrl, setNextLink } from '../../common/http/absolute-url.js';
import { IdParamPipe } from '../../common/http/id-param.pipe.js';
import { toApiMessage, toConversationDetailDto, toConversationDto } from '../chat.mappers.js';
import { ChatService } from '../chat.service.js';
import { CONVERSATIONS_PAGE_DEFAULT, PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX, PREVIEW_DEFAULT, SEARCH_PAGE_DEFAULT } from '../chat.limits.js';
import { SearchMessagesQueryDto } from './dto/search.dto.js';
import { decodeConversationCursor, encodeConversationCursor } from './conversation-cursor.js';
import { answerHistory } from './history-response.js';
import {
  ApiMessageDto,
  ConversationDetailDto,
  ConversationDto,
  CreateConversationDto,
  MarkReadDto,
  ReadStateDto,
  UnreadDto,
  HistoryQueryDto,
  ListConversationsQueryDto,
  MessagePageQueryDto,
  PaginatedMessagesDto,
  SendMessageDto,
} from './dto/api-chat.dto.js';

/** Django REST framework's page-number rules: a bad page is 404, a bad page size the default. */
function parsePageNumber(raw: string | undefined): number {
  if (raw === undefined || raw === 'last') return raw === 'last' ? -1 : 1;
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < 1) throw new NotFoundException('Invalid page.');
  return Number(raw);
}

function parsePageSize(raw: string | undefined): number {
  if (raw === undefined || !/^\d{1,9}$/.test(raw) || Number(raw) < 1) return PAGE_SIZE_DEFAULT;
  return Math.min(Number(raw), PAGE_SIZE_MAX);
}

@ApiTags('conversations (/api/)')
@Controller('api')
export class ConversationsController {
  constructor(private readonly chat: ChatService) {}

  @OpensConversation('conversations', ConversationDto, { created: 'Created', existed: 'The direct conversation of these two users already existed' })
  @ApiOperation({ summary: 'Create a conversation (201), or get the existing direct one (200)' })
  async create(@CurrentUser() user: AuthenticatedUser, @Body() body: CreateConversationDto, @Res({ passthrough: true }) response: Response): Promise<ConversationDto> {
    const { conversation, created } = await this.chat.createConversation(user.id, body.participants);
    response.status(created ? 201 : 200);
    return toConversationDto(conversation, []);
  }

  /**
   * The caller's conversations, most recent activity first, each with its latest `messages`
   * (default 20). At most `limit` (default 20, max 100); `Link: rel="next"` carries the cursor.
   */
  @Get('conversations')
  @ApiOperation({ summary: "List the caller's conversations" })
  @ApiOkResponse({ type: [ConversationDto] })
  async list(
    @CurrentUser() user: AuthenticatedUser,
    @Query() query: ListConversationsQueryDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ConversationDto[]> {
    const limit = query.limit ?? CONVERSATIONS_PAGE_DEFAULT;
    const page = await this.chat.listConversations(user.id, { limit, cursor: decodeConversationCursor(query.cursor), previewSize: query.messages ?? PREVIEW_DEFAULT });
    if (page.length === limit) {
      setNextLink(request, response, { cursor: encodeConversationCursor(page[page.length - 1].conversation.cursor) });
    }
    return page.map(({ conversation, messages }) => toConversationDto(conversation, messages));
  }

  @Get('conversations/:id')
  @ApiOperation({ summary: 'One conversation (members only), with the other members\' read markers' })
  @ApiOkResponse({ type: ConversationDetailDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such conversation, or not a member' })
  async get(@CurrentUser() user: AuthenticatedUser, @Param('id', new IdParamPipe('Conversation')) id: number): Promise<ConversationDetailDto> {
    const { conversation, messages } = await this.chat.history(user.id, { id }, { limit: PREVIEW_DEFAULT });
    return toConversationDetailDto(conversation, messages, user.id);
  }

  /**
   * Moves the caller's read marker to `message` (default: the latest message). Markers only move
   * forward: reading an older message changes nothing and answers the marker as it is. The other
   * members and the caller's other connections get `conversation:read` in real time.
   */
  @Post('conversations/:id/read')
  @HttpCode(200)
  @ApiOperation({ summary: 'Mark a conversation read (up to a message)' })
  @ApiBody({ type: MarkReadDto, required: false })
  @ApiOkResponse({ type: ReadStateDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'A message that is not in this conversation: `{"message": ["Invalid pk \\"7\\" - object does not exist."]}`' })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such conversation, or not a member' })
  async read(@CurrentUser() user: AuthenticatedUser, @Param('id', new IdParamPipe('Conversation')) id: number, @Body() body: MarkReadDto): Promise<ReadStateDto> {
    const { conversation, marker, unread } = await this.chat.markRead(user, { id }, body.message);
    return { conversation: conversation.id, last_read_message: marker.messageId, unread_count: unread };
  }

  /**
   * The caller's messages matching `q`, in the conversations they are in now (deleted messages
   * left out), best match first, then newest; each names its conversation. At most `limit`
   * (default 20); `Link: rel="next"` carries the cursor of the next page.
   */
  @Get('search/messages')
  @ApiOperation({ summary: "Search the caller's messages (English and Russian full text)" })
  @ApiOkResponse({ type: [ApiMessageDto] })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'A `conversation` the caller is not in' })
  async search(@CurrentUser() user: AuthenticatedUser, @Query() query: SearchMessagesQueryDto, @Req() request: Request, @Res({ passthrough: true }) response: Response): Promise<ApiMessageDto[]> {
    const limit = query.limit ?? SEARCH_PAGE_DEFAULT;
    const [rank, id] = query.before?.split('_') ?? [];
    const hits = await this.chat.searchMessages(user.id, { q: query.q, conversationId: query.conversation, limit, before: query.before ? { rank, id: Number(id) } : undefined });
    if (hits.length === limit) {
      const last = hits[hits.length - 1].cursor;
      setNextLink(request, response, { before: `${last.rank}_${last.id}` });
    }
    return hits.map((hit) => toApiMessage(hit.message));
  }

  /** For a badge on the app icon: from counters, never by counting messages. */
  @Get('unread')
  @ApiOperation({ summary: "The caller's unread messages: the total and each conversation with some" })
  @ApiOkResponse({ type: UnreadDto })
  async unread(@CurrentUser() user: AuthenticatedUser): Promise<UnreadDto> {
    const { total, conversations } = await this.chat.unread(user.id);
    return { total, conversations: conversations.map((c) => ({ id: c.id, unread_count: c.unread })) };
  }

  /**
   * Oldest first. Without `limit`, `before` or `after`: the whole conversation (at most its latest
   * `LIST_MAX_ITEMS`, default 10,000), as the original answers it. With them: the latest `limit`
   * (default 50, max 200), and `before`/`after` walk the history by keyset.
   */
  @Get('conversations/:id/messages')
  @ApiOperation({ summary: 'Messages of a conversation (whole, or by keyset cursors)' })
  @ApiOkResponse({ type: [ApiMessageDto] })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such conversation, or not a member' })
  async history(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', new IdParamPipe('Conversation')) id: number,
    @Query() query: HistoryQueryDto,
    @Res() response: Response,
  ): Promise<void> {
    await answerHistory(this.chat, response, { userId: user.id, reference: { id }, query, shape: 'api' });
  }

  @Post('messages')
  @MessageBudgetResponse()
  @ApiOperation({ summary: 'Send a message (idempotent with client_id)' })
  @ApiCreatedResponse({ type: ApiMessageDto, description: 'Stored' })
  @ApiOkResponse({ type: ApiMessageDto, description: 'A retry with a known client_id: the first message' })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid field; a conversation that does not exist or that the caller is not in is `{"conversation": ["Invalid pk \\"7\\" - object does not exist."]}`' })
  async send(@CurrentUser() user: AuthenticatedUser, @Body() body: SendMessageDto, @Res({ passthrough: true }) response: Response): Promise<ApiMessageDto> {
    const { message, created } = await this.chat.sendMessage(user.id, body.conversation, body.text, body.client_id, { replyTo: body.reply_to }).catch((error: unknown) => {
      // A primary key in a body that names nothing the caller may see is DRF's field error (400),
      // the same whether the conversation does not exist or is someone else's.
      if (error instanceof NotFoundException) throw FieldValidationException.forField('conversation', `Invalid pk "${body.conversation}" - object does not exist.`);
      throw error;
    });
    response.status(created ? 201 : 200);
    return toApiMessage(message);
  }

  /**
   * Django REST framework page-number pagination over the caller's messages (one conversation
   * with `conversation`), in id order. `page_size` defaults to 20 and is capped at 100.
   */
  @Get('messages')
  @ApiOperation({ summary: 'Messages by page number' })
  @ApiOkResponse({ type: PaginatedMessagesDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'Invalid page, or a conversation the caller is not in' })
  async page(@CurrentUser() user: AuthenticatedUser, @Query() query: MessagePageQueryDto, @Req() request: Request): Promise<PaginatedMessagesDto> {
    const pageSize = parsePageSize(query.page_size);
    let page = parsePageNumber(query.page);
    if (page === -1) {
      const { count } = await this.chat.messagePage(user.id, { conversationId: query.conversation, page: 1, pageSize });
      page = Math.max(1, Math.ceil(count / pageSize));
    }
    const { count, messages } = await this.chat.messagePage(user.id, { conversationId: query.conversation, page, pageSize });
    const hasNext = page * pageSize < count;
    return {
      count,
      next: hasNext ? absoluteUrl(request, { page: String(page + 1) }) : null,
      previous: page > 1 ? absoluteUrl(request, { page: String(page - 1) }) : null,
      results: messages.map(toApiMessage),
    };
  }
}
