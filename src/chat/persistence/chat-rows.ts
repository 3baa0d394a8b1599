import type { ConversationKind } from '../entities/conversation.entity.js';
import type { MemberRole } from '../entities/conversation-member.entity.js';
import type { ConversationView, MemberView, MessageView, ReactionView } from '../chat.types.js';

/** Rows as the chat's SQL reads them, and their conversion to the views services return. */
export interface ConversationRow {
  id: number;
  kind: ConversationKind;
  name: string;
  title: string | null;
  created_at: Date;
  last_activity_at: Date;
  message_count: string;
  /** The viewing member's marker (`cm` is their membership row). */
  last_read_seq: string;
  last_read_message_id: string | null;
  role: MemberRole;
}

export interface MessageRow {
  id: string;
  conversation_id: number;
  seq: string | number;
  text: string;
  client_id: string | null;
  created_at: Date;
  sender_id: number;
  sender_username: string;
  sender_email: string;
  reply_to_id: string | null;
  edited_at: Date | null;
  deleted_at: Date | null;
  reactions: ReactionView[];
}

export interface ConversationCursor {
  lastActivityAt: string;
  id: number;
}

export const MESSAGE_COLUMNS = `m.id, m.conversation_id, m.seq, m.text, m.client_id, m.created_at, m.reply_to_id, m.edited_at, m.deleted_at, m.reactions, u.id AS sender_id, u.username AS sender_username, u.email AS sender_email`;
/** A conversation as the member of `cm` sees it. */
export const CONVERSATION_COLUMNS = `c.id, c.kind, c.name, c.title, c.created_at, c.last_activity_at, c.message_count, cm.last_read_seq, cm.last_read_message_id, cm.role`;

export function toMessageView(row: MessageRow): MessageView {
  return {
    id: Number(row.id),
    conversationId: row.conversation_id,
    seq: Number(row.seq),
    sender: { id: row.sender_id, username: row.sender_username, email: row.sender_email },
    text: row.text,
    clientId: row.client_id,
    createdAt: new Date(row.created_at),
    replyTo: row.reply_to_id === null ? null : Number(row.reply_to_id),
    editedAt: row.edited_at === null ? null : new Date(row.edited_at),
    deleted: row.deleted_at !== null,
    reactions: row.reactions,
  };
}

/** The columns a message just inserted has (nothing edited, deleted or reacted to yet). */
export function freshMessageRow(replyTo: number | null): Pick<MessageRow, 'reply_to_id' | 'edited_at' | 'deleted_at' | 'reactions'> {
  return { reply_to_id: replyTo === null ? null : String(replyTo), edited_at: null, deleted_at: null, reactions: [] };
}


export function toConversationView(row: ConversationRow, members: MemberView[]): ConversationView {
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    title: row.title,
    createdAt: new Date(row.created_at),
    lastActivityAt: new Date(row.last_activity_at),
    messageCount: Number(row.message_count),
    members,
    readMarker: { seq: Number(row.last_read_seq), messageId: row.last_read_message_id === null ? null : Number(row.last_read_message_id) },
    viewerRole: row.role,
  };
}
