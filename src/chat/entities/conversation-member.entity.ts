import { Check, CreateDateColumn, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { User } from '../../users/entities/user.entity.js';
import { Conversation } from './conversation.entity.js';

export type MemberRole = 'owner' | 'admin' | 'member';

@Entity({ name: 'conversation_members' })
@Check('conversation_members_role_check', `"role" IN ('owner', 'admin', 'member')`)
@Index('conversation_members_user_id_idx', ['userId', 'conversationId'])
// (user_id, last_activity_at DESC, conversation_id DESC): the conversation list's order (migration 1765300000000).
@Index('conversation_members_activity_idx', { synchronize: false })
export class ConversationMember {
  @PrimaryColumn({ name: 'conversation_id', type: 'int', primaryKeyConstraintName: 'conversation_members_pkey' })
  conversationId: number;

  @PrimaryColumn({ name: 'user_id', type: 'int', primaryKeyConstraintName: 'conversation_members_pkey' })
  userId: number;

  @ManyToOne(() => Conversation, (conversation) => conversation.members, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'conversation_id', foreignKeyConstraintName: 'conversation_members_conversation_id_fkey' })
  conversation?: Conversation;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'conversation_members_user_id_fkey' })
  user?: User;

  @CreateDateColumn({ name: 'joined_at', type: 'timestamptz' })
  joinedAt: Date;

  /** The read marker: the last message this member has read (null: none yet). Only moves forward. */
  @Column({ name: 'last_read_message_id', type: 'bigint', nullable: true })
  lastReadMessageId: string | null;

  /** The marker's `seq`: unread = the conversation's `message_count` - this. */
  @Column({ name: 'last_read_seq', type: 'bigint', default: 0 })
  lastReadSeq: string;

  /**
   * A copy of the conversation's `last_activity_at`, kept by triggers (migration 1765300000000),
   * so that a user's conversations are listed in order from one index.
   */
  @Column({ name: 'last_activity_at', type: 'timestamptz', default: () => 'now()' })
  lastActivityAt: Date;

  /** In a group: `owner` (the creator), `admin` or `member`; in a direct conversation always `member`. */
  @Column({ type: 'varchar', length: 10, default: 'member' })
  role: MemberRole;
}
