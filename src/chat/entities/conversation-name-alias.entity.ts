import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import type { Conversation } from './conversation.entity.js';

/** A name a room had before (direct rooms were renamed to sort by code point); it still resolves. */
@Entity({ name: 'conversation_name_aliases' })
export class ConversationNameAlias {
  @PrimaryColumn({ type: 'varchar', length: 320, primaryKeyConstraintName: 'conversation_name_aliases_pkey' })
  name: string;

  @Index('conversation_name_aliases_conversation_id_idx')
  @Column({ name: 'conversation_id', type: 'int' })
  conversationId: number;

  @ManyToOne('Conversation', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'conversation_id', foreignKeyConstraintName: 'conversation_name_aliases_conversation_id_fkey' })
  conversation?: Conversation;
}
