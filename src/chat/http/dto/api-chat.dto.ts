import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { AcceptsNumericString, IntegerList } from '../../../common/validation/form-values.decorator.js';
import { PK_MISSING, PK_TYPE } from '../../../common/validation/drf-messages.js';
import { IsDbIdQuery, MAX_DB_ID } from '../../../common/validation/ids.js';
import { UserSummaryDto } from '../../../users/dto/user.dto.js';
import { CONVERSATIONS_PAGE_MAX, HISTORY_MAX, MAX_PARTICIPANTS, MESSAGE_MAX_LENGTH, PREVIEW_MAX } from '../../chat.limits.js';
import { IsClientId } from './client-id.decorator.js';
import { IsReplyTo } from './reply-to.decorator.js';

export class ReactionDto {
  /** One emoji (a grapheme cluster). */
  emoji: string;
  count: number;
  /** Who reacted, earliest first (at most 100 shown; `count` counts all). */
  users: number[];
}

/**
 * A list of user ids (numbers, or digits from a form), 1 to MAX_PARTICIPANTS of them. It states its
 * OpenAPI schema itself: the Swagger plugin sees only the decorators written on the property.
 */
const ParticipantIds = () =>
  // Listed nearest-first, as stacked decorators apply: the list, then each item's type, then its range.
  applyDecorators(
    IsArray(),
    ArrayMaxSize(MAX_PARTICIPANTS),
    ArrayMinSize(1),
    IsInt({ each: true, ...PK_TYPE }),
    Max(MAX_DB_ID, { each: true, ...PK_MISSING }),
    Min(1, { each: true, ...PK_MISSING }),
    IntegerList(),
    ApiProperty({ type: 'array', items: { type: 'number', minimum: 1, maximum: MAX_DB_ID }, minItems: 1, maxItems: MAX_PARTICIPANTS }),
  );

/** A message as the `/api/` family shows it. */
export class ApiMessageDto {
  /** Message id (increases with time across the whole system). */
  id: number;
  sender: UserSummaryDto;
  /** Conversation id. */
  conversation: number;
  text: string;
  /** ISO 8601, UTC. */
  timestamp: string;
  /** The client's idempotency key, when one was sent. */
  client_id?: string;
  /** The message this one answers (same conversation), or null. */
  reply_to: number | null;
  /** ISO 8601, UTC, of the last edit; null if never edited. */
  edited_at: string | null;
  /** A deleted message keeps its place (id, page) with an empty `text`. */
  deleted: boolean;
  reactions: ReactionDto[];
}


export class ParticipantDto extends UserSummaryDto {
  /** `owner` (the creator of a group), `admin` or `member`; always `member` in a direct conversation. */
  role: 'owner' | 'admin' | 'member';
}

export class ConversationDto {
  id: number;
  participants: ParticipantDto[];
  /** A group's title (null when none is set, and always in a direct conversation). */
  title: string | null;
  /** The latest messages, oldest first: none on creation, the latest `messages` (default 20) in lists. */
  messages: ApiMessageDto[];
  created_at: string;
  /** Messages after the caller's read marker (added by Palaver; the original has no read state). */
  unread_count: number;
  /** Id of the last message the caller has read, or null: their read marker. */
  last_read_message: number | null;
}

export class ReadByUserDto {
  id: number;
  username: string;
}

export class ReadByDto {
  user: ReadByUserDto;
  /** Id of the last message this member has read, or null. */
  last_read_message: number | null;
}

export class ConversationDetailDto extends ConversationDto {
  /** The other members' read markers: who has seen what ("seen" ticks). */
  read_by: ReadByDto[];
}

export class UpdateConversationDto {
  /** A group's title, up to 255 characters; blank or null removes it. */
  @IsOptional()
  @IsString()
  @MaxLength(255)
  title?: string | null;
}

export class AddParticipantsDto {
  /** User ids to add (a group holds at most 50 people). */
  @ParticipantIds()
  participants: number[];
}

export class ParticipantRoleDto {
  /** `admin` or `member`; `owner` hands the group over (the current owner becomes an admin). */
  @IsIn(['owner', 'admin', 'member'], { message: ({ value }: { value: unknown }) => `"${String(value)}" is not a valid choice.` })
  role: 'owner' | 'admin' | 'member';
}

export class ConversationNoticeDto {
  id: number;
  title: string | null;
  participants: ParticipantDto[];
}

export class MarkReadDto {
  /** A message of this conversation to read up to (default: the latest). */
  @IsOptional()
  @AcceptsNumericString()
  @Min(1, PK_MISSING)
  @Max(MAX_DB_ID, PK_MISSING)
  @IsInt(PK_TYPE)
  message?: number;
}

export class ReadStateDto {
  /** Conversation id. */
  conversation: number;
  /** Id of the last message the caller has read, or null (nothing to read yet). */
  last_read_message: number | null;
  /** Messages after it. */
  unread_count: number;
}

export class UnreadConversationDto {
  id: number;
  unread_count: number;
}

export class UnreadDto {
  /** Unread messages over all the caller's conversations. */
  total: number;
  /** The conversations with unread messages, most recent activity first (at most 1,000). */
  conversations: UnreadConversationDto[];
}

export class CreateConversationDto {
  /** User ids; the caller is added if missing. Two people → their direct conversation; three or more → a new group. */
  @ParticipantIds()
  participants: number[];
}

export class SendMessageDto {
  /** Conversation id (a number, or its digits as a string). */
  @AcceptsNumericString()
  @Min(1, PK_MISSING)
  @Max(MAX_DB_ID, PK_MISSING)
  @IsInt(PK_TYPE)
  conversation: number;

  /** 1 to 4,000 characters once trimmed. */
  @IsString()
  @MaxLength(MESSAGE_MAX_LENGTH * 2, { message: `Ensure this field has no more than ${MESSAGE_MAX_LENGTH} characters.` })
  text: string;

  /** Idempotency key (1–64 of `A-Za-z0-9_.:-`): a retry with the same key returns the first message. */
  @IsClientId()
  client_id?: string;

  /** Id of a message of the same conversation this one answers. */
  @IsReplyTo()
  reply_to?: number | null;
}

export class EditMessageDto {
  /** 1 to 4,000 characters once trimmed. */
  @IsString()
  @MaxLength(MESSAGE_MAX_LENGTH * 2, { message: `Ensure this field has no more than ${MESSAGE_MAX_LENGTH} characters.` })
  text: string;
}

export class ListConversationsQueryDto {
  /** Conversations per page, 1 to 100 (default 20). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(CONVERSATIONS_PAGE_MAX)
  limit?: number;

  /** Opaque cursor from the `Link: rel="next"` header. */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;

  /** Latest messages included per conversation, 0 to 50 (default 20). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(PREVIEW_MAX)
  messages?: number;
}

export class HistoryQueryDto {
  /** Messages, 1 to 200 (default 50 when `before` or `after` is given; without any of the three, the whole history). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(HISTORY_MAX)
  limit?: number;

  /** Only messages older than this id: the latest `limit` of them. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  before?: number;

  /** Only messages newer than this id: the next `limit` of them. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  after?: number;
}

/** No paging asked for: the originals then answer the whole list. */
export function isWholeListRequest(query: HistoryQueryDto): boolean {
  return query.limit === undefined && query.before === undefined && query.after === undefined;
}

export class MessagePageQueryDto {
  /** Only this conversation (else all of the caller's). */
  @IsDbIdQuery()
  conversation?: number;

  /** Page number from 1 (default 1); a page past the end is 404. */
  @IsOptional()
  @IsString()
  @MaxLength(20)
  page?: string;

  /** Results per page (default 20, at most 100; larger values are capped). */
  @IsOptional()
  @IsString()
  @MaxLength(20)
  page_size?: string;
}

export class PaginatedMessagesDto {
  count: number;
  /** Absolute URL of the next page, or null. */
  next: string | null;
  /** Absolute URL of the previous page, or null. */
  previous: string | null;
  results: ApiMessageDto[];
}
