import { IsString, Length, MaxLength } from 'class-validator';
import { NotBlank } from '../../../common/validation/not-blank.decorator.js';
import { MESSAGE_MAX_LENGTH } from '../../chat.limits.js';
import { IsClientId } from './client-id.decorator.js';
import { IsReplyTo } from './reply-to.decorator.js';

/** A chat room as the `/messenger/` family shows it. */
export class RoomDto {
  id: number;
  /** Room name, used in message and WebSocket URLs (`user1_user2` for a direct room). */
  name: string;
  /** Member user ids. */
  members: number[];
  /** The other member's username in a direct room; the title or the other members' names in a group. */
  display_name: string;
  /** Messages after the caller's read marker (added by Palaver; the original has no read state). */
  unread_count: number;
  /** Id of the last message the caller has read, or null. */
  last_read_message: number | null;
}

export class RoomMessageDto {
  id: number;
  /** Sender's username. */
  user: string;
  content: string;
  /** ISO 8601, UTC. */
  timestamp: string;
}

export class CreateRoomDto {
  /** Username of the other person. */
  @IsString()
  @Length(1, 150)
  recipient: string;
}

export class PostRoomMessageDto {
  /** 1 to 4,000 characters once trimmed. */
  @IsString()
  @NotBlank()
  @MaxLength(MESSAGE_MAX_LENGTH * 2, { message: `Ensure this field has no more than ${MESSAGE_MAX_LENGTH} characters.` })
  content: string;

  /** Idempotency key, as on `/api/messages/`. */
  @IsClientId()
  client_id?: string;

  /** Id of a message of this room this one answers. */
  @IsReplyTo()
  reply_to?: number | null;
}
