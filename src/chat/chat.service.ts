import { ForbiddenException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { ApiException, FieldValidationException } from '../common/errors/api-exceptions.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { DomainEvents } from '../events/domain-events.js';
import { ChatBudgets } from './chat-budgets.js';
import { UsersRepository } from '../users/users.repository.js';
import type { ConversationCursor } from './persistence/chat-rows.js';
import { ConversationsRepository } from './persistence/conversations.repository.js';
import { BlocksRepository } from './persistence/blocks.repository.js';
import { MessageChanges } from './persistence/message-changes.js';
import { MessageWriter, SenderBlockedError } from './persistence/message-writer.js';
import { MessagesRepository, type MessageWireShape, type SearchCursor } from './persistence/messages.repository.js';
import { MAX_PARTICIPANTS, MAX_REACTION_EMOJI, MESSAGE_MAX_LENGTH, SEARCH_CANDIDATES, UNREAD_LIST_MAX } from './chat.limits.js';
import { isSingleEmoji } from './emoji.js';
import { movesForward, unreadCount, type ReadMarker } from './read-markers.js';
import type { MemberRole } from './entities/conversation-member.entity.js';
import type { ConversationRef, ConversationView, HistoryQuery, MessageView } from './chat.types.js';
import { directRoomName, groupRoomName, ROOM_NAME_PATTERN } from './room-names.js';

const CONVERSATION_NOT_FOUND = 'Conversation not found';
const MESSAGE_NOT_FOUND = 'Message not found';
const BLOCKED_BY_RECIPIENT = 'You cannot message this user.';

interface UserRow {
  id: number;
  username: string;
}

/**
 * The rules of the chat, and the only writer of conversations and messages: REST controllers of
 * both families, the Socket.IO gateway and the WebSocket rooms all come through here. After a
 * message is stored it publishes one `message.created` event.
 *
 * Membership is checked on every read and write; a non-member learns nothing, not even whether
 * the conversation exists (404).
 */
@Injectable()
export class ChatService {
  constructor(
    private readonly conversations: ConversationsRepository,
    private readonly messages: MessagesRepository,
    private readonly writer: MessageWriter,
    private readonly users: UsersRepository,
    private readonly events: DomainEvents,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly budgets: ChatBudgets,
    private readonly changes: MessageChanges,
    private readonly blocks: BlocksRepository,
  ) {}

  /**
   * `/api/conversations/`: the caller plus the given users. Two people → their direct
   * conversation (created once per pair, whoever asks first); three or more → a new group.
   * Each conversation created is taken from the caller's budget (429 when it is spent).
   */
  async createConversation(callerId: number, participantIds: number[]): Promise<{ conversation: ConversationView; created: boolean }> {
    const ids = [...new Set([callerId, ...participantIds])];
    if (ids.length < 2) throw FieldValidationException.forField('participants', 'Add at least one other participant.');
    if (ids.length > MAX_PARTICIPANTS) throw FieldValidationException.forField('participants', `At most ${MAX_PARTICIPANTS} participants.`);
    const users = await this.users.liveByIds(ids);
    const missing = ids.filter((id) => !users.some((u) => u.id === id));
    if (missing.length) throw new FieldValidationException({ participants: missing.map((id) => `Invalid pk "${id}" - object does not exist.`) });
    if (ids.length === 2) return this.openDirect(users[0], users[1], callerId);
    await this.refuseBlockers(callerId, users.filter((u) => u.id !== callerId));
    await this.budgets.chargeConversation(callerId);
    return this.createGroup(callerId, ids);
  }

  /** `/messenger/api/chatrooms/`: the direct room of the caller and `recipient` (a username). */
  async openDirectByUsername(caller: { id: number }, recipientUsername: string): Promise<{ conversation: ConversationView; created: boolean }> {
    const rows = await this.users.liveByIdOrUsername(caller.id, recipientUsername);
    const me = rows.find((r) => r.id === caller.id);
    const recipient = rows.find((r) => r.username.toLowerCase() === recipientUsername.toLowerCase());
    if (!me) throw new NotFoundException('User not found');
    if (!recipient) throw FieldValidationException.forField('recipient', 'Recipient does not exist.');
    if (recipient.id === me.id) throw FieldValidationException.forField('recipient', 'You cannot open a chat with yourself.');
    return this.openDirect(me, recipient, me.id);
  }

  async getConversation(userId: number, conversationId: number): Promise<ConversationView> {
    const conversation = await this.conversations.conversationForMember(userId, { id: conversationId });
    if (!conversation) throw new NotFoundException(CONVERSATION_NOT_FOUND);
    return conversation;
  }

  async getRoom(userId: number, name: string): Promise<ConversationView> {
    if (!ROOM_NAME_PATTERN.test(name)) throw new NotFoundException('Chat room not found');
    const conversation = await this.conversations.conversationForMember(userId, { name });
    if (!conversation) throw new NotFoundException('Chat room not found');
    return conversation;
  }

  /** A conversation the caller is in, by id or by room name. */
  resolve(userId: number, reference: ConversationRef): Promise<ConversationView> {
    return 'id' in reference ? this.getConversation(userId, reference.id) : this.getRoom(userId, reference.name);
  }

  /** A bounded page of the caller's conversations with their latest `previewSize` messages: three queries. */
  async listConversations(userId: number, options: { limit: number; cursor?: ConversationCursor; previewSize: number }) {
    const conversations = await this.conversations.conversationsForMember(userId, options.limit, options.cursor);
    const previews = await this.messages.latestMessagesOf(
      conversations.map((c) => c.id),
      options.previewSize,
    );
    return conversations.map((conversation) => ({ conversation, messages: previews.get(conversation.id) ?? [] }));
  }

  async history(userId: number, reference: ConversationRef, query: HistoryQuery): Promise<{ conversation: ConversationView; messages: MessageView[] }> {
    const conversation = await this.resolve(userId, reference);
    return { conversation, messages: await this.messages.history(conversation.id, query) };
  }

  /**
   * The whole history of a conversation the caller is in (at most its latest LIST_MAX_ITEMS
   * messages), oldest first, in pages of JSON text in the wire shape asked for: what the originals
   * answer when a client asks for no page.
   */
  async wholeHistory(userId: number, reference: ConversationRef, shape: MessageWireShape): Promise<{ conversation: ConversationView; pages: AsyncIterable<{ json: string; lastId: number }> }> {
    const conversation = await this.resolve(userId, reference);
    return { conversation, pages: this.messages.wholeHistoryJson(conversation.id, this.config.listMaxItems, shape) };
  }

  /** Page-number listing (`/api/messages/`) of one conversation or of all the caller's. */
  async messagePage(userId: number, options: { conversationId?: number; page: number; pageSize: number }): Promise<{ count: number; messages: MessageView[] }> {
    let scope: { conversationId: number } | { userId: number } = { userId };
    if (options.conversationId !== undefined) {
      await this.getConversation(userId, options.conversationId);
      scope = { conversationId: options.conversationId };
    }
    const count = await this.messages.messageCount(scope);
    const pages = Math.max(1, Math.ceil(count / options.pageSize));
    if (options.page > pages) throw new NotFoundException('Invalid page.');
    const messages = count ? await this.messages.messagePage(scope, (options.page - 1) * options.pageSize, options.pageSize, count) : [];
    return { count, messages };
  }

  /**
   * Moves the caller's read marker to `messageId` (default: the latest message) if that is further
   * on: markers never move back. A message of another conversation is a 400 field error. When the
   * marker moved, `conversation.read` tells the other members and the reader's other connections
   * (`origin`, the connection it came from, is left out).
   */
  async markRead(user: { id: number; username: string }, reference: ConversationRef, messageId?: number, origin?: string): Promise<ReadState> {
    const conversation = await this.resolve(user.id, reference);
    const target = await this.messages.markerAt(conversation.id, messageId ?? 'latest');
    if (!target) {
      if (messageId !== undefined) throw FieldValidationException.forField('message', `Invalid pk "${messageId}" - object does not exist.`);
      return { conversation, marker: conversation.readMarker, unread: 0 };
    }
    let marker: ReadMarker = conversation.readMarker;
    if (movesForward(marker, target)) {
      const moved = await this.conversations.advanceReadMarker(user.id, conversation.id, target);
      if (!moved) throw new NotFoundException(CONVERSATION_NOT_FOUND);
      if (movesForward(marker, moved)) {
        this.events.emit('conversation.read', {
          conversationId: conversation.id,
          user: { id: user.id, username: user.username },
          lastReadMessageId: moved.messageId,
          memberIds: conversation.members.map((m) => m.id),
          origin,
        });
      }
      marker = moved;
    }
    // The count may have grown since the conversation was read; the target's seq is a lower bound.
    return { conversation, marker, unread: unreadCount(Math.max(conversation.messageCount, target.seq), marker) };
  }

  /** `GET /api/unread/`: the caller's unread total and the conversations with unread messages. */
  unread(userId: number): Promise<{ total: number; conversations: Array<{ id: number; unread: number }> }> {
    return this.conversations.unreadOf(userId, UNREAD_LIST_MAX);
  }

  /**
   * Stores a message from a member (see {@link MessageWriter}: numbered in its conversation,
   * idempotent per `clientId`), taking it from the sender's message budget first (429 when spent)
   * unless the caller has already taken it (`charged`: the WebSocket rooms pace their sends).
   * Returns `created: false` with the first message for a retry; only a new message is published.
   */
  async sendMessage(senderId: number, conversationId: number, rawText: unknown, clientId?: string | null, options: SendOptions = {}): Promise<{ message: MessageView; created: boolean }> {
    const text = normaliseText(rawText, options.field);
    const replyTo = options.replyTo ?? null;
    if (replyTo !== null) {
      // Membership first: a non-member learns nothing about the conversation's messages.
      await this.getConversation(senderId, conversationId);
      if (!(await this.messages.markerAt(conversationId, replyTo))) throw FieldValidationException.forField('reply_to', `Invalid pk "${replyTo}" - object does not exist.`);
    }
    if (!options.charged) await this.budgets.chargeMessage(senderId);
    const result = await this.writer.write(conversationId, { senderId, text, clientId: clientId ?? null, replyTo }).catch((error: unknown) => {
      throw error instanceof SenderBlockedError ? new ForbiddenException(BLOCKED_BY_RECIPIENT) : error;
    });
    if (!result) throw new NotFoundException(CONVERSATION_NOT_FOUND);
    if (result.created) this.events.emit('message.created', { message: result.message });
    return result;
  }

  /** A group's title (owners and admins; 400 for a direct conversation). Blank or null removes it; absent leaves it. */
  async renameGroup(userId: number, conversationId: number, rawTitle: string | null | undefined): Promise<ConversationView> {
    const conversation = await this.administeredGroup(userId, conversationId);
    // A PATCH without `title` changes nothing (only `null` or a blank title removes it).
    if (rawTitle === undefined) return conversation;
    const title = rawTitle?.trim() || null;
    if (title?.includes('\u0000')) throw FieldValidationException.forField('title', 'Null characters are not allowed.');
    await this.conversations.setTitle(conversation.id, title);
    return this.publishUpdate(userId, conversation.id);
  }

  /** Adds people to a group (owners and admins), within the group limit; they get `conversation:new`. */
  async addParticipants(userId: number, conversationId: number, participantIds: number[]): Promise<ConversationView> {
    const conversation = await this.administeredGroup(userId, conversationId);
    const ids = [...new Set(participantIds)].filter((id) => !conversation.members.some((m) => m.id === id));
    if (!ids.length) return conversation; // everyone named is in it already: nothing changes, nobody is told
    const users = await this.users.liveByIds(ids);
    const missing = ids.filter((id) => !users.some((u) => u.id === id));
    if (missing.length) throw new FieldValidationException({ participants: missing.map((id) => `Invalid pk "${id}" - object does not exist.`) });
    await this.refuseBlockers(userId, users);
    const added = await this.conversations.joinGroup(conversation.id, ids, MAX_PARTICIPANTS);
    if (added === null) throw FieldValidationException.forField('participants', `At most ${MAX_PARTICIPANTS} participants.`);
    const updated = await this.publishUpdate(userId, conversation.id);
    if (added.length) {
      const latest = await this.messages.markerAt(conversation.id, 'latest');
      this.events.emit('conversation.joined', { conversation: updated, userIds: added, lastMessageId: latest?.messageId ?? null });
    }
    return updated;
  }

  /**
   * Takes `targetId` out of a group: anyone may leave; the owner removes anyone, an admin removes
   * members. An owner who leaves hands the group to the oldest admin, else the oldest member.
   * Whoever is out loses access at once (`conversation.removed`).
   */
  async removeParticipant(userId: number, conversationId: number, targetId: number): Promise<void> {
    const conversation = await this.getConversation(userId, conversationId);
    if (conversation.kind !== 'group') throw new ApiException(400, 'A direct conversation always has its two members.', 'direct_conversation');
    const target = conversation.members.find((m) => m.id === targetId);
    if (!target) throw new NotFoundException('Participant not found');
    if (targetId !== userId) {
      const allowed = conversation.viewerRole === 'owner' || (conversation.viewerRole === 'admin' && target.role === 'member');
      if (!allowed) throw new ForbiddenException('Only the owner removes admins; admins remove members.');
    }
    const { removed } = await this.conversations.leave(conversation.id, targetId);
    if (!removed) return;
    this.events.emit('conversation.removed', { conversationId: conversation.id, userIds: [targetId] });
    const remaining = conversation.members.find((m) => m.id !== targetId);
    if (remaining) await this.publishUpdate(remaining.id, conversation.id);
  }

  /** Sets a member's role (the owner only); `owner` hands the group over. */
  async setParticipantRole(userId: number, conversationId: number, targetId: number, role: MemberRole): Promise<ConversationView> {
    const conversation = await this.getConversation(userId, conversationId);
    if (conversation.kind !== 'group') throw new ApiException(400, 'A direct conversation has no roles.', 'direct_conversation');
    if (conversation.viewerRole !== 'owner') throw new ForbiddenException('Only the owner sets roles.');
    if (!conversation.members.some((m) => m.id === targetId)) throw new NotFoundException('Participant not found');
    if (targetId === userId) throw FieldValidationException.forField('role', 'The owner hands the group over by making another member its owner.');
    await this.conversations.setRole(conversation.id, targetId, role);
    return this.publishUpdate(userId, conversation.id);
  }

  /** 400 naming the people among `users` who have blocked `userId`: they cannot be put into a group by them. */
  private async refuseBlockers(userId: number, users: UserRow[]): Promise<void> {
    const blockers = await this.blocks.blockersAmong(
      userId,
      users.map((u) => u.id),
    );
    if (blockers.length) {
      throw new FieldValidationException({ participants: users.filter((u) => blockers.includes(u.id)).map((u) => `${u.username} cannot be added to a conversation by you.`) });
    }
  }

  /** A group the caller administers (404 if not a member, 400 if direct, 403 if a plain member). */
  private async administeredGroup(userId: number, conversationId: number): Promise<ConversationView> {
    const conversation = await this.getConversation(userId, conversationId);
    if (conversation.kind !== 'group') throw new ApiException(400, 'A direct conversation has no title and always has its two members.', 'direct_conversation');
    if (conversation.viewerRole !== 'owner' && conversation.viewerRole !== 'admin') throw new ForbiddenException('Only the owner and admins manage the group.');
    return conversation;
  }

  /** Reads the group again as `viewerId` sees it and tells its members what changed. */
  private async publishUpdate(viewerId: number, conversationId: number): Promise<ConversationView> {
    const updated = await this.getConversation(viewerId, conversationId);
    this.events.emit('conversation.updated', { conversation: updated });
    return updated;
  }

  /**
   * Full-text search of the caller's messages (all their conversations, or one: 404 unless a
   * member), best match first then newest, from `before` (a cursor of a previous page).
   */
  async searchMessages(userId: number, query: { q: string; conversationId?: number; before?: SearchCursor; limit: number }): Promise<Array<{ message: MessageView; cursor: SearchCursor }>> {
    const q = query.q.trim();
    if (!q) throw FieldValidationException.forField('q', 'This field may not be blank.');
    if (q.includes('\u0000')) throw FieldValidationException.forField('q', 'Null characters are not allowed.');
    const conversationIds = query.conversationId !== undefined ? [(await this.getConversation(userId, query.conversationId)).id] : await this.conversations.conversationIdsOf(userId);
    return this.messages.search(conversationIds, q, { limit: query.limit, candidates: SEARCH_CANDIDATES, before: query.before });
  }

  /** A message of a conversation the caller is in (404 otherwise, as for conversations). */
  async getMessage(userId: number, messageId: number): Promise<MessageView> {
    return (await this.memberMessage(userId, messageId)).message;
  }

  /** New text for the caller's own message (403 for other members' messages, 400 once deleted). */
  async editMessage(userId: number, messageId: number, rawText: unknown): Promise<MessageView> {
    const { message } = await this.memberMessage(userId, messageId);
    if (message.sender.id !== userId) throw new ForbiddenException('You can only edit your own messages.');
    const text = normaliseText(rawText);
    if (!(await this.changes.edit(messageId, text))) throw FieldValidationException.forField('text', 'A deleted message cannot be edited.');
    const edited = await this.getMessage(userId, messageId);
    this.events.emit('message.updated', { message: edited });
    return edited;
  }

  /**
   * Deletes a message: the sender's own, or any in a group the caller administers (403 else).
   * Deleting a deleted message again changes nothing.
   */
  async deleteMessage(userId: number, messageId: number): Promise<void> {
    const { message, role, kind } = await this.memberMessage(userId, messageId);
    const admin = kind === 'group' && (role === 'owner' || role === 'admin');
    if (message.sender.id !== userId && !admin) throw new ForbiddenException('You can only delete your own messages (or, as a group admin, any message of the group).');
    if (await this.changes.delete(messageId)) this.events.emit('message.deleted', { conversationId: message.conversationId, messageId });
  }

  /** Adds (idempotent) or takes back the caller's reaction with one emoji; members only. */
  async react(userId: number, messageId: number, emoji: string, add: boolean): Promise<MessageView> {
    if (!isSingleEmoji(emoji)) throw FieldValidationException.forField('emoji', 'Send one emoji.');
    const { message } = await this.memberMessage(userId, messageId);
    const outcome = await this.changes.react(messageId, userId, emoji, add, MAX_REACTION_EMOJI);
    if (outcome === 'deleted') throw new ApiException(400, 'This message was deleted.', 'message_deleted');
    if (outcome === 'too-many') throw FieldValidationException.forField('emoji', `A message takes at most ${MAX_REACTION_EMOJI} different emoji.`);
    if (outcome.changed) this.events.emit('message.reactions', { conversationId: message.conversationId, messageId, reactions: outcome.reactions });
    return { ...message, reactions: outcome.reactions };
  }

  private async memberMessage(userId: number, messageId: number) {
    const found = await this.messages.messageForMember(userId, messageId);
    if (!found) throw new NotFoundException(MESSAGE_NOT_FOUND);
    return found;
  }

  /** Same as {@link sendMessage}, addressing the conversation by id or room name. */
  async sendTo(senderId: number, reference: ConversationRef, text: unknown, clientId?: string | null, options: SendOptions = {}) {
    const conversationId = 'id' in reference ? reference.id : (await this.getRoom(senderId, reference.name)).id;
    return this.sendMessage(senderId, conversationId, text, clientId, options);
  }

  /**
   * The direct conversation of a pair, created the first time. Only a creation is taken from
   * `chargedUserId`'s budget: opening an existing one (what clients do each time) costs nothing.
   */
  private async openDirect(a: UserRow, b: UserRow, chargedUserId: number): Promise<{ conversation: ConversationView; created: boolean }> {
    const [low, high] = a.id < b.id ? [a.id, b.id] : [b.id, a.id];
    // Someone who blocked the caller cannot be messaged by them, in a new or an existing conversation.
    const other = chargedUserId === a.id ? b.id : a.id;
    if ((await this.blocks.blockersAmong(chargedUserId, [other])).length) throw new ForbiddenException(BLOCKED_BY_RECIPIENT);
    let id = await this.conversations.findDirect(low, high);
    let created = false;
    if (id === null) {
      await this.budgets.chargeConversation(chargedUserId);
      id = await this.conversations.createDirect(directRoomName(a.username, b.username), low, high);
      created = id !== null;
      // The other one of the pair opened it at the same moment: theirs is the conversation.
      if (!created) {
        await this.budgets.refundConversation(chargedUserId);
        id = await this.conversations.findDirect(low, high);
      }
    }
    const conversation = await this.getConversation(a.id, id as number);
    if (created) this.events.emit('conversation.created', { conversation });
    return { conversation, created };
  }

  private async createGroup(ownerId: number, memberIds: number[]): Promise<{ conversation: ConversationView; created: boolean }> {
    const id = await this.conversations.createGroup(groupRoomName(), memberIds, ownerId);
    const conversation = await this.getConversation(ownerId, id);
    this.events.emit('conversation.created', { conversation });
    return { conversation, created: true };
  }
}

/** A member's read state in a conversation, after a read. */
export interface ReadState {
  conversation: ConversationView;
  marker: ReadMarker;
  unread: number;
}

export interface SendOptions {
  /** The input field the text came in, named in validation errors (`text`, `content`, `message`). */
  field?: string;
  /** The sender's budget has already been charged for this message (paced sends). */
  charged?: boolean;
  /** A message of the same conversation this one answers (400 `reply_to` otherwise). */
  replyTo?: number | null;
}

/** The JSON text of whole-history pages. */
export async function* textOf(pages: AsyncIterable<{ json: string }>): AsyncGenerator<string> {
  for await (const page of pages) yield page.json;
}

/** Message text: a string of 1 to 4,000 characters once trimmed (DRF's words for each problem). */
export function normaliseText(raw: unknown, field = 'text'): string {
  if (typeof raw !== 'string') throw FieldValidationException.forField(field, 'Not a valid string.');
  const text = raw.trim();
  if (!text) throw FieldValidationException.forField(field, 'This field may not be blank.');
  if ([...text].length > MESSAGE_MAX_LENGTH) throw FieldValidationException.forField(field, `Ensure this field has no more than ${MESSAGE_MAX_LENGTH} characters.`);
  if (text.includes('\u0000')) throw FieldValidationException.forField(field, 'Null characters are not allowed.');
  return text;
}
