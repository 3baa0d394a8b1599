import { Body, Controller, Delete, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiForbiddenResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, type AuthenticatedUser } from '../../common/decorators/current-user.decorator.js';
import { ErrorResponseDto } from '../../common/errors/error-response.dto.js';
import { IdParamPipe } from '../../common/http/id-param.pipe.js';
import { toConversationDto } from '../chat.mappers.js';
import { ChatService } from '../chat.service.js';
import { AddParticipantsDto, ConversationDto, ParticipantRoleDto, UpdateConversationDto } from './dto/api-chat.dto.js';

const NOT_A_MEMBER = { type: ErrorResponseDto, description: 'No such conversation (or participant), or the caller is not a member' };
const DIRECT = { type: ErrorResponseDto, description: 'A direct conversation (it always has exactly its two members), or invalid input' };

/**
 * Group administration: title, participants and roles. The owner (the creator) does everything,
 * admins rename, add people and remove members; anyone may leave. Every change is pushed to the
 * members (`conversation:updated`), to people added (`conversation:new`) and to people removed
 * (`conversation:removed`, and their access ends at once).
 */
@ApiTags('conversations (/api/)')
@Controller('api/conversations/:id')
export class GroupsController {
  constructor(private readonly chat: ChatService) {}

  @Patch()
  @ApiOperation({ summary: "Rename a group (owner and admins)" })
  @ApiOkResponse({ type: ConversationDto })
  @ApiBadRequestResponse(DIRECT)
  @ApiForbiddenResponse({ type: ErrorResponseDto, description: 'A member who is not an admin' })
  @ApiNotFoundResponse(NOT_A_MEMBER)
  async update(@CurrentUser() user: AuthenticatedUser, @Param('id', new IdParamPipe('Conversation')) id: number, @Body() body: UpdateConversationDto): Promise<ConversationDto> {
    return toConversationDto(await this.chat.renameGroup(user.id, id, body.title), []);
  }

  @Post('participants')
  @HttpCode(200)
  @ApiOperation({ summary: 'Add people to a group (owner and admins; at most 50 people in all)' })
  @ApiOkResponse({ type: ConversationDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'A direct conversation, unknown users, someone who blocked the caller, or more than 50 people' })
  @ApiForbiddenResponse({ type: ErrorResponseDto, description: 'A member who is not an admin' })
  @ApiNotFoundResponse(NOT_A_MEMBER)
  async add(@CurrentUser() user: AuthenticatedUser, @Param('id', new IdParamPipe('Conversation')) id: number, @Body() body: AddParticipantsDto): Promise<ConversationDto> {
    return toConversationDto(await this.chat.addParticipants(user.id, id, body.participants), []);
  }

  /** Yourself: leaving (an owner hands the group to the oldest admin, else the oldest member). Someone else: the owner removes anyone, an admin removes members. */
  @Delete('participants/:userId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Leave a group, or remove someone from it' })
  @ApiNoContentResponse({ description: 'Out of the group' })
  @ApiBadRequestResponse(DIRECT)
  @ApiForbiddenResponse({ type: ErrorResponseDto, description: 'Not allowed to remove that participant' })
  @ApiNotFoundResponse(NOT_A_MEMBER)
  async remove(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', new IdParamPipe('Conversation')) id: number,
    @Param('userId', new IdParamPipe('Participant')) userId: number,
  ): Promise<void> {
    await this.chat.removeParticipant(user.id, id, userId);
  }

  @Patch('participants/:userId')
  @ApiOperation({ summary: "Set a participant's role (the owner; `owner` hands the group over)" })
  @ApiOkResponse({ type: ConversationDto })
  @ApiBadRequestResponse(DIRECT)
  @ApiForbiddenResponse({ type: ErrorResponseDto, description: 'Not the owner' })
  @ApiNotFoundResponse(NOT_A_MEMBER)
  async role(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', new IdParamPipe('Conversation')) id: number,
    @Param('userId', new IdParamPipe('Participant')) userId: number,
    @Body() body: ParticipantRoleDto,
  ): Promise<ConversationDto> {
    return toConversationDto(await this.chat.setParticipantRole(user.id, id, userId, body.role), []);
  }
}
