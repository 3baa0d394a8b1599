import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Put } from '@nestjs/common';
import { ApiBadRequestResponse, ApiForbiddenResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { CurrentUser, type AuthenticatedUser } from '../../common/decorators/current-user.decorator.js';
import { ErrorResponseDto } from '../../common/errors/error-response.dto.js';
import { IdParamPipe } from '../../common/http/id-param.pipe.js';
import { toApiMessage } from '../chat.mappers.js';
import { ChatService } from '../chat.service.js';
import { ApiMessageDto, EditMessageDto } from './dto/api-chat.dto.js';

const messageId = new IdParamPipe('Message', Number.MAX_SAFE_INTEGER);
const NOT_A_MEMBER = { type: ErrorResponseDto, description: 'No such message, or not a member of its conversation' };

/** One message of the `/api/` family: read, edit, delete, react. Members only; changes are told to the conversation in real time. */
@ApiTags('conversations (/api/)')
@Controller('api/messages/:id')
export class MessagesController {
  constructor(private readonly chat: ChatService) {}

  @Get()
  @ApiOperation({ summary: 'One message (members only)' })
  @ApiOkResponse({ type: ApiMessageDto })
  @ApiNotFoundResponse(NOT_A_MEMBER)
  async get(@CurrentUser() user: AuthenticatedUser, @Param('id', messageId) id: number): Promise<ApiMessageDto> {
    return toApiMessage(await this.chat.getMessage(user.id, id));
  }

  /** The sender only; other members get 403. `edited_at` records the time; a deleted message cannot be edited (400). */
  @Patch()
  @ApiOperation({ summary: "Edit one's own message" })
  @ApiOkResponse({ type: ApiMessageDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid text, or the message was deleted' })
  @ApiForbiddenResponse({ type: ErrorResponseDto, description: "Another member's message" })
  @ApiNotFoundResponse(NOT_A_MEMBER)
  async patch(@CurrentUser() user: AuthenticatedUser, @Param('id', messageId) id: number, @Body() body: EditMessageDto): Promise<ApiMessageDto> {
    return toApiMessage(await this.chat.editMessage(user.id, id, body.text));
  }

  /** The same as PATCH (the message's only editable field is `text`). */
  @Put()
  @ApiOperation({ summary: "Edit one's own message (as PATCH)" })
  @ApiOkResponse({ type: ApiMessageDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid text, or the message was deleted' })
  @ApiForbiddenResponse({ type: ErrorResponseDto, description: "Another member's message" })
  @ApiNotFoundResponse(NOT_A_MEMBER)
  put(@CurrentUser() user: AuthenticatedUser, @Param('id', messageId) id: number, @Body() body: EditMessageDto): Promise<ApiMessageDto> {
    return this.patch(user, id, body);
  }

  /**
   * The sender, or an owner or admin of the group. The message keeps its place (id, page, cursors)
   * and is shown as `deleted: true` with an empty `text`; the `/messenger/` family leaves it out.
   */
  @Delete()
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a message' })
  @ApiNoContentResponse({ description: 'Deleted (or already deleted)' })
  @ApiForbiddenResponse({ type: ErrorResponseDto, description: "Another member's message, and not a group admin" })
  @ApiNotFoundResponse(NOT_A_MEMBER)
  async delete(@CurrentUser() user: AuthenticatedUser, @Param('id', messageId) id: number): Promise<void> {
    await this.chat.deleteMessage(user.id, id);
  }

  /** Idempotent: reacting twice with the same emoji is one reaction. At most 20 different emoji per message. */
  @Put('reactions/:emoji')
  @ApiOperation({ summary: 'React to a message with one emoji' })
  @ApiParam({ name: 'emoji', description: 'One emoji, URL-encoded (`%F0%9F%91%8D` for 👍)' })
  @ApiOkResponse({ type: ApiMessageDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Not one emoji, too many different emoji, or a deleted message' })
  @ApiNotFoundResponse(NOT_A_MEMBER)
  async react(@CurrentUser() user: AuthenticatedUser, @Param('id', messageId) id: number, @Param('emoji') emoji: string): Promise<ApiMessageDto> {
    return toApiMessage(await this.chat.react(user.id, id, emoji, true));
  }

  @Delete('reactions/:emoji')
  @HttpCode(204)
  @ApiOperation({ summary: "Take one's reaction back" })
  @ApiParam({ name: 'emoji', description: 'One emoji, URL-encoded' })
  @ApiNoContentResponse({ description: 'Removed (or there was none)' })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Not one emoji, or a deleted message' })
  @ApiNotFoundResponse(NOT_A_MEMBER)
  async unreact(@CurrentUser() user: AuthenticatedUser, @Param('id', messageId) id: number, @Param('emoji') emoji: string): Promise<void> {
    await this.chat.react(user.id, id, emoji, false);
  }
}
