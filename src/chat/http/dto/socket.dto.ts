import { IsInt, IsOptional, IsString, Max, MaxLength, Min, registerDecorator, type ValidationOptions } from 'class-validator';
import { isDbId } from '../../../common/validation/ids.js';
import { MESSAGE_MAX_LENGTH } from '../../chat.limits.js';
import { IsClientId } from './client-id.decorator.js';
import { IsReplyTo } from './reply-to.decorator.js';
import { ROOM_NAME_PATTERN } from '../../room-names.js';

/** A conversation id (positive 32-bit integer) or a room name. */
function IsConversationRef(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isConversationRef',
      target: target.constructor,
      propertyName,
      options: { message: 'conversation must be a conversation id or a room name', ...options },
      validator: {
        validate: (value: unknown) =>
          isDbId(value) || (typeof value === 'string' && ROOM_NAME_PATTERN.test(value)),
      },
    });
}

export class SocketJoinDto {
  @IsConversationRef()
  conversation: number | string;

  /** Replay every message with a larger id first. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  after?: number;
}

/** `conversation:leave`, `typing:start`, `typing:stop`: a conversation and nothing else. */
export class SocketConversationDto {
  @IsConversationRef()
  conversation: number | string;
}

export class SocketReadDto {
  @IsConversationRef()
  conversation: number | string;

  /** Read up to this message (default: the latest). */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  message?: number;
}

export class SocketSendDto {
  @IsConversationRef()
  conversation: number | string;

  @IsString()
  @MaxLength(MESSAGE_MAX_LENGTH * 2)
  text: string;

  @IsClientId()
  client_id?: string;

  /** Id of a message of the same conversation this one answers. */
  @IsReplyTo()
  reply_to?: number | null;
}
