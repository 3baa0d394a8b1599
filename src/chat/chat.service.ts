import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { FieldValidationException } from '../common/errors/api-exceptions.js';
import { DomainEvents } from '../events/domain-events.js';
import { ChatBudgets } from './chat-budgets.js';
import { ChatQueries, type ConversationCursor, type MessageWireShape } from './chat.queries.js';
import { MessageStore } from './message-store.js';
import { MAX_PARTICIPANTS, MESSAGE_MAX_LENGTH } from './chat.limits.js';
import type { ConversationView, HistoryQuery, MessageView } from './chat.types.js';
import { directRoomName, groupRoomName, ROOM_NAME_PATTERN } from './room-names.js';

const CONVERSATION_NOT_FOUND = 'Conversation not found';

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
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly queries: ChatQueries,
    private readonly events: DomainEvents,
    private readonly store: MessageStore,
    private readonly budgets: ChatBudgets,
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
    const users: UserRow[] = await this.dataSource.query(`SELECT id, username FROM users WHERE id = ANY($1::int[]) AND deleted_at IS NULL`, [ids]);
    const missing = ids.filter((id) => !users.some((u) => u.id === id));
    if (missing.length) throw new FieldValidationException({ participants: missing.map((id) => `Invalid pk "${id}" - object does not exist.`) });
    if (ids.length === 2) return this.openDirect(users[0], users[1], callerId);
    await this.budgets.chargeConversation(callerId);
    return this.createGroup(ids);
  }

  /** `/messenger/api/chatrooms/`: the direct room of the caller and `recipient` (a username). */
  async openDirectByUsername(caller: { id: number }, recipientUsername: string): Promise<{ conversation: ConversationView; created: boolean }> {
    const rows: UserRow[] = await this.dataSource.query(`SELECT id, username FROM users WHERE (id = $1 OR lower(username) = lower($2)) AND deleted_at IS NULL`, [caller.id, recipientUsername]);
    const me = rows.find((r) => r.id === caller.id);
    const recipient = rows.find((r) => r.username.toLowerCase() === recipientUsername.toLowerCase());
    if (!me) throw new NotFoundException('User not found');
    if (!recipient) throw FieldValidationException.forField('recipient', 'Recipient does not exist.');
    if (recipient.id === me.id) throw FieldValidationException.forField('recipient', 'You cannot open a chat with yourself.');
    return this.openDirect(me, recipient, me.id);
  }

  async getConversation(userId: number, conversationId: number): Promise<ConversationView> {
    const row = await this.queries.conversationForMember(userId, { id: conversationId });
    if (!row) throw new NotFoundException(CONVERSATION_NOT_FOUND);
    return this.queries.toView(row, row.members);
  }

  async getRoom(userId: number, name: string): Promise<ConversationView> {
    if (!ROOM_NAME_PATTERN.test(name)) throw new NotFoundException('Chat room not found');
    const row = await this.queries.conversationForMember(userId, { name });
    if (!row) throw new NotFoundException('Chat room not found');
    return this.queries.toView(row, row.members);
  }

  /** A conversation by id or room name (Socket.IO accepts both). */
  resolve(userId: number, reference: number | string): Promise<ConversationView> {
    return typeof reference === 'number' ? this.getConversation(userId, reference) : this.getRoom(userId, reference);
  }

  /** A bounded page of the caller's conversations with their latest `previewSize` messages: three queries. */
  async listConversations(userId: number, options: { limit: number; cursor?: ConversationCursor; previewSize: number }) {
    const conversations = await this.queries.conversationsForMember(userId, options.limit, options.cursor);
    const previews = await this.queries.latestMessagesOf(
      conversations.map((c) => c.id),
      options.previewSize,
    );
    return conversations.map((conversation) => ({ conversation, messages: previews.get(conversation.id) ?? [] }));
  }

  async history(userId: number, reference: number | string, query: HistoryQuery): Promise<{ conversation: ConversationView; messages: MessageView[] }> {
    const conversation = await this.resolve(userId, reference);
    return { conversation, messages: await this.queries.history(conversation.id, query) };
  }

  /**
   * The whole history of a conversation the caller is in (at most its latest `cap` messages),
   * oldest first, in pages of JSON text in the wire shape asked for: what the originals answer
   * when a client asks for no page.
   */
  async wholeHistory(userId: number, reference: number | string, cap: number, shape: MessageWireShape): Promise<{ conversation: ConversationView; pages: AsyncIterable<{ json: string; lastId: number }> }> {
    const conversation = await this.resolve(userId, reference);
    return { conversation, pages: this.queries.wholeHistoryJson(conversation.id, cap, shape) };
  }

  /** Page-number listing (`/api/messages/`) of one conversation or of all the caller's. */
  async messagePage(userId: number, options: { conversationId?: number; page: number; pageSize: number }): Promise<{ count: number; messages: MessageView[] }> {
    let scope: { conversationId: number } | { userId: number } = { userId };
    if (options.conversationId !== undefined) {
      await this.getConversation(userId, options.conversationId);
      scope = { conversationId: options.conversationId };
    }
    const count = await this.queries.messageCount(scope);
    const pages = Math.max(1, Math.ceil(count / options.pageSize));
    if (options.page > pages) throw new NotFoundException('Invalid page.');
    const messages = count ? await this.queries.messagePage(scope, (options.page - 1) * options.pageSize, options.pageSize, count) : [];
    return { count, messages };
  }

  /**
   * Stores a message from a member (see {@link MessageStore}: numbered in its conversation,
   * idempotent per `clientId`), taking it from the sender's message budget first (429 when spent)
   * unless the caller has already taken it (`charged`: the WebSocket rooms pace their sends).
   * Returns `created: false` with the first message for a retry; only a new message is published.
   */
  async sendMessage(senderId: number, conversationId: number, rawText: unknown, clientId?: string | null, options: SendOptions = {}): Promise<{ message: MessageView; created: boolean }> {
    const text = normaliseText(rawText, options.field);
    if (!options.charged) await this.budgets.chargeMessage(senderId);
    const result = await this.store.store(conversationId, { senderId, text, clientId: clientId ?? null });
    if (!result) throw new NotFoundException(CONVERSATION_NOT_FOUND);
    if (result.created) this.events.emit('message.created', { message: result.message });
    return result;
  }

  /** Same as {@link sendMessage}, addressing the conversation by id or room name. */
  async sendTo(senderId: number, reference: number | string, text: unknown, clientId?: string | null, options: SendOptions = {}) {
    const conversationId = typeof reference === 'number' ? reference : (await this.getRoom(senderId, reference)).id;
    return this.sendMessage(senderId, conversationId, text, clientId, options);
  }

  /**
   * The direct conversation of a pair, created the first time. Only a creation is taken from
   * `chargedUserId`'s budget: opening an existing one (what clients do each time) costs nothing.
   */
  private async openDirect(a: UserRow, b: UserRow, chargedUserId: number): Promise<{ conversation: ConversationView; created: boolean }> {
    const [low, high] = a.id < b.id ? [a.id, b.id] : [b.id, a.id];
    const existing = () =>
      this.dataSource.query(`SELECT id FROM conversations WHERE kind = 'direct' AND direct_user_low = $1 AND direct_user_high = $2`, [low, high]) as Promise<Array<{ id: number }>>;
    let found = await existing();
    let created = false;
    if (!found.length) {
      await this.budgets.chargeConversation(chargedUserId);
      const inserted = await this.dataSource.transaction(async (manager) => {
        const rows: Array<{ id: number }> = await manager.query(
          `INSERT INTO conversations (kind, name, direct_user_low, direct_user_high) VALUES ('direct', $1, $2, $3)
           ON CONFLICT (direct_user_low, direct_user_high) WHERE kind = 'direct' DO NOTHING
           RETURNING id`,
          [directRoomName(a.username, b.username), low, high],
        );
        if (rows.length) await this.addMembers(manager, rows[0].id, [low, high]);
        return rows;
      });
      created = inserted.length > 0;
      // The other one of the pair opened it at the same moment: theirs is the conversation.
      if (!created) await this.budgets.refundConversation(chargedUserId);
      found = created ? inserted : await existing();
    }
    const conversation = await this.getConversation(a.id, found[0].id);
    if (created) this.events.emit('conversation.created', { conversation });
    return { conversation, created };
  }

  private async createGroup(memberIds: number[]): Promise<{ conversation: ConversationView; created: boolean }> {
    const id = await this.dataSource.transaction(async (manager) => {
      const inserted: Array<{ id: number }> = await manager.query(`INSERT INTO conversations (kind, name) VALUES ('group', $1) RETURNING id`, [groupRoomName()]);
      await this.addMembers(manager, inserted[0].id, memberIds);
      return inserted[0].id;
    });
    const conversation = await this.getConversation(memberIds[0], id);
    this.events.emit('conversation.created', { conversation });
    return { conversation, created: true };
  }

  private addMembers(manager: EntityManager, conversationId: number, userIds: number[]) {
    return manager.query(`INSERT INTO conversation_members (conversation_id, user_id) SELECT $1, unnest($2::int[])`, [conversationId, userIds]);
  }
}

export interface SendOptions {
  /** The input field the text came in, named in validation errors (`text`, `content`, `message`). */
  field?: string;
  /** The sender's budget has already been charged for this message (paced sends). */
  charged?: boolean;
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
