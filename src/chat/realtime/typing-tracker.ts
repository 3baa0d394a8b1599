import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { DomainEvents, type Actor } from '../../events/domain-events.js';
import { ChatBudgets } from '../chat-budgets.js';
import { BlocksRepository } from '../persistence/blocks.repository.js';
import { TYPING_TIMEOUT_MS } from '../chat.limits.js';
import type { ConversationView } from '../chat.types.js';

interface Typing {
  user: Actor;
  conversationId: number;
  memberIds: number[];
  /** Members the typist has blocked: never told. */
  hiddenFrom: number[];
  /** The connection that started (or last renewed) it: when it closes, typing ends. */
  connection: string;
  timer: NodeJS.Timeout;
}

/**
 * Who is typing where, on this instance, never stored. A start is published as `typing.changed`
 * (true) to the other members; renewing it within TYPING_TIMEOUT_MS only extends it, and one not
 * renewed ends by itself (false), as does one whose connection closes or whose user sends a
 * message there. Each start (not a renewal) is taken from the user's typing budget.
 */
@Injectable()
export class TypingTracker implements OnModuleInit, OnModuleDestroy {
  private readonly active = new Map<string, Typing>();
  /** Connection → the typings it holds (so a closing connection costs only its own). */
  private readonly byConnection = new Map<string, Set<string>>();

  constructor(
    private readonly events: DomainEvents,
    private readonly budgets: ChatBudgets,
    private readonly blocks: BlocksRepository,
  ) {}

  onModuleInit(): void {
    // A message sent ends its sender's typing there: the others see the message instead.
    this.events.on('message.created', ({ message }) => this.stop(message.sender.id, message.conversationId));
  }

  onModuleDestroy(): void {
    for (const typing of this.active.values()) clearTimeout(typing.timer);
    this.active.clear();
    this.byConnection.clear();
  }

  /** Extends a typing already shown; false when there is none (then {@link start} it, membership checked). */
  renew(userId: number, conversationId: number, connection: string): boolean {
    const id = key(userId, conversationId);
    const typing = this.active.get(id);
    if (!typing) return false;
    this.hold(id, typing, connection);
    typing.timer.refresh();
    return true;
  }

  /** `user`, a member of `conversation`, is typing: told to the other members (429 past the budget). */
  async start(user: Actor, conversation: ConversationView, connection: string): Promise<void> {
    if (this.renew(user.id, conversation.id, connection)) return;
    await this.budgets.chargeTyping(user.id);
    const others = conversation.members.map((m) => m.id).filter((id) => id !== user.id);
    const hiddenFrom = await this.blocks.blockedAmong(user.id, others);
    // Another start of the same user and conversation may have won while the budget was asked.
    if (this.renew(user.id, conversation.id, connection)) return;
    const id = key(user.id, conversation.id);
    const timer = setTimeout(() => this.stop(user.id, conversation.id), TYPING_TIMEOUT_MS).unref();
    const memberIds = conversation.members.map((m) => m.id).filter((memberId) => !hiddenFrom.includes(memberId));
    const typing: Typing = { user, conversationId: conversation.id, memberIds, hiddenFrom, connection: '', timer };
    this.active.set(id, typing);
    this.hold(id, typing, connection);
    this.publish(typing, true);
  }

  isTyping(userId: number, conversationId: number): boolean {
    return this.active.has(key(userId, conversationId));
  }

  /** Ends a user's typing in a conversation, if shown. */
  stop(userId: number, conversationId: number): void {
    const id = key(userId, conversationId);
    const typing = this.active.get(id);
    if (!typing) return;
    clearTimeout(typing.timer);
    this.active.delete(id);
    this.release(id, typing.connection);
    this.publish(typing, false);
  }

  /** A connection closed: whatever it was typing ends. */
  connectionClosed(connection: string): void {
    for (const id of [...(this.byConnection.get(connection) ?? [])]) {
      const typing = this.active.get(id);
      if (typing) this.stop(typing.user.id, typing.conversationId);
    }
    this.byConnection.delete(connection);
  }

  private hold(id: string, typing: Typing, connection: string): void {
    if (typing.connection === connection) return;
    this.release(id, typing.connection);
    typing.connection = connection;
    let held = this.byConnection.get(connection);
    if (!held) this.byConnection.set(connection, (held = new Set()));
    held.add(id);
  }

  private release(id: string, connection: string): void {
    const held = this.byConnection.get(connection);
    if (!held) return;
    held.delete(id);
    if (!held.size) this.byConnection.delete(connection);
  }

  private publish(typing: Typing, on: boolean): void {
    this.events.emit('typing.changed', { conversationId: typing.conversationId, user: typing.user, typing: on, memberIds: typing.memberIds, hiddenFrom: typing.hiddenFrom });
  }
}

function key(userId: number, conversationId: number): string {
  return `${userId}:${conversationId}`;
}
