import type { ConversationKind } from './entities/conversation.entity.js';
import type { MemberRole } from './entities/conversation-member.entity.js';
import type { ReadMarker } from './read-markers.js';

/** A user as chat shows them (message senders, participants). */
export interface UserRef {
  id: number;
  username: string;
  email: string;
}

/** A member of a conversation, with their read marker's message. */
export interface MemberView extends UserRef {
  lastReadMessageId: number | null;
  role: MemberRole;
}

/** A conversation (chat room) with its members, as one member sees it: what services return, never an HTTP body. */
export interface ConversationView {
  id: number;
  kind: ConversationKind;
  name: string;
  title: string | null;
  createdAt: Date;
  lastActivityAt: Date;
  /** Messages stored so far, which is also the `seq` of the latest one. */
  messageCount: number;
  members: MemberView[];
  /** The viewing member's read marker. */
  readMarker: ReadMarker;
  /** The viewing member's role. */
  viewerRole: MemberRole;
}

/** One emoji's reactions to a message. */
export interface ReactionView {
  emoji: string;
  count: number;
  /** Who reacted, earliest first (at most REACTION_USERS_SHOWN; `count` counts them all). */
  users: number[];
}

export interface MessageView {
  id: number;
  conversationId: number;
  /** Position in its conversation: 1, 2, 3, … with no gaps, in commit order. */
  seq: number;
  sender: UserRef;
  /** Empty once deleted. */
  text: string;
  clientId: string | null;
  createdAt: Date;
  /** The message this one answers (same conversation), or null. */
  replyTo: number | null;
  editedAt: Date | null;
  deleted: boolean;
  reactions: ReactionView[];
}

export interface HistoryQuery {
  limit: number;
  /** Only messages with a smaller id: the latest `limit` of them. */
  before?: number;
  /** Only messages with a larger id: the first `limit` of them. */
  after?: number;
}


/** A conversation as a client names it: by id (the `/api/` family) or by room name (`/messenger/`). */
export type ConversationRef = { id: number } | { name: string };

/** The Socket.IO payloads' `conversation`: an id, or a room name. */
export function conversationRef(wire: number | string): ConversationRef {
  return typeof wire === 'number' ? { id: wire } : { name: wire };
}
