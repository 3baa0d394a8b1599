import { toUserSummary } from '../users/user.mappers.js';
import type { ConversationView, MemberView, MessageView } from './chat.types.js';
import type { ApiMessageDto, ConversationDetailDto, ConversationDto, ConversationNoticeDto, ParticipantDto } from './http/dto/api-chat.dto.js';
import { readByOthers, unreadCount } from './read-markers.js';
import type { RoomDto, RoomMessageDto } from './http/dto/messenger.dto.js';

export function toApiMessage(message: MessageView): ApiMessageDto {
  return {
    id: message.id,
    sender: toUserSummary(message.sender),
    conversation: message.conversationId,
    text: message.text,
    timestamp: message.createdAt.toISOString(),
    ...(message.clientId ? { client_id: message.clientId } : {}),
    reply_to: message.replyTo,
    edited_at: message.editedAt?.toISOString() ?? null,
    deleted: message.deleted,
    reactions: message.reactions,
  };
}

/** A conversation as its viewing member sees it (their unread count and read marker). */
export function toParticipant(member: MemberView): ParticipantDto {
  return { ...toUserSummary(member), role: member.role };
}

/** What every member may be told of a conversation that changed: no one's read state. */
export function toConversationNotice(conversation: ConversationView): ConversationNoticeDto {
  return { id: conversation.id, title: conversation.title, participants: conversation.members.map(toParticipant) };
}

export function toConversationDto(conversation: ConversationView, messages: MessageView[]): ConversationDto {
  return {
    id: conversation.id,
    participants: conversation.members.map(toParticipant),
    title: conversation.kind === 'group' ? conversation.title : null,
    messages: messages.map(toApiMessage),
    created_at: conversation.createdAt.toISOString(),
    unread_count: unreadCount(conversation.messageCount, conversation.readMarker),
    last_read_message: conversation.readMarker.messageId,
  };
}

/** `GET /api/conversations/{id}/`: also the other members' read markers. */
export function toConversationDetailDto(conversation: ConversationView, messages: MessageView[], viewerId: number): ConversationDetailDto {
  const readBy = readByOthers(conversation.members, viewerId).map((r) => ({ user: r.user, last_read_message: r.lastReadMessageId }));
  return { ...toConversationDto(conversation, messages), read_by: readBy };
}

export function toRoomMessage(message: MessageView): RoomMessageDto {
  return { id: message.id, user: message.sender.username, content: message.text, timestamp: message.createdAt.toISOString() };
}

export function roomDisplayName(conversation: ConversationView, viewerId: number): string {
  const others = conversation.members.filter((m) => m.id !== viewerId).map((m) => m.username);
  if (conversation.kind === 'direct') return others[0] ?? conversation.name;
  if (conversation.title) return conversation.title;
  return others.length > 3 ? `${others.slice(0, 3).join(', ')} +${others.length - 3}` : others.join(', ');
}

export function toRoomDto(conversation: ConversationView, viewerId: number): RoomDto {
  return {
    id: conversation.id,
    name: conversation.name,
    members: conversation.members.map((m) => m.id),
    display_name: roomDisplayName(conversation, viewerId),
    unread_count: unreadCount(conversation.messageCount, conversation.readMarker),
    last_read_message: conversation.readMarker.messageId,
  };
}
