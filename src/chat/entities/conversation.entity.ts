import { Check, Column, CreateDateColumn, Entity, Index, OneToMany, PrimaryGeneratedColumn } from 'typeorm';
import type { ConversationMember } from './conversation-member.entity.js';

export type ConversationKind = 'direct' | 'group';

/**
 * A conversation of the `/api/` family and a chat room of the `/messenger/` family: the same row.
 * A direct conversation is unique per pair of users (`direct_user_low`, `direct_user_high`).
 */
@Entity({ name: 'conversations' })
@Check('conversations_kind_check', `"kind" IN ('direct', 'group')`)
@Check('conversations_direct_pair_check', `("kind" = 'direct') = ("direct_user_low" IS NOT NULL AND "direct_user_high" IS NOT NULL)`)
@Index('conversations_direct_pair_key', ['directUserLow', 'directUserHigh'], { unique: true, where: `"kind" = 'direct'` })
export class Conversation {
  @PrimaryGeneratedColumn('identity', { generatedIdentity: 'ALWAYS', primaryKeyConstraintName: 'conversations_pkey' })
  id: number;

  @Column({ type: 'varchar', length: 10 })
  kind: ConversationKind;

  @Index('conversations_name_key', { unique: true })
  @Column({ type: 'varchar', length: 320 })
  name: string;

  @Column({ type: 'varchar', length: 255, nullable: true })
  title: string | null;

  @Column({ name: 'direct_user_low', type: 'int', nullable: true })
  directUserLow: number | null;

  @Column({ name: 'direct_user_high', type: 'int', nullable: true })
  directUserHigh: number | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  /** Time of the latest message (or creation): the order of conversation lists. */
  @Column({ name: 'last_activity_at', type: 'timestamptz', default: () => 'now()' })
  lastActivityAt: Date;

  /** Messages stored so far: page counts stay O(1) on conversations with millions of messages. */
  @Column({ name: 'message_count', type: 'bigint', default: 0 })
  messageCount: string;

  @OneToMany('ConversationMember', (member: ConversationMember) => member.conversation)
  members?: ConversationMember[];
}
