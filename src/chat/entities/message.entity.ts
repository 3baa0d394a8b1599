import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { User } from '../../users/entities/user.entity.js';
import { Conversation } from './conversation.entity.js';

/**
 * A message. History is read by `(conversation_id, id)` keyset; page numbers by the dense
 * per-conversation `seq`; a retried send with the same `client_id` hits the partial unique index
 * and gets the first message back.
 */
@Entity({ name: 'messages' })
@Index('messages_conversation_id_id_idx', ['conversationId', 'id'])
@Index('messages_conversation_id_seq_key', ['conversationId', 'seq'], { unique: true })
@Index('messages_client_id_key', ['conversationId', 'senderId', 'clientId'], { unique: true, where: '"client_id" IS NOT NULL' })
// Full-text search: a GIN expression index made by the MessageSearch migration, which TypeORM cannot describe.
@Index('messages_search_idx', { synchronize: false })
export class Message {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS', primaryKeyConstraintName: 'messages_pkey' })
  id: string;

  @Column({ name: 'conversation_id', type: 'int' })
  conversationId: number;

  @ManyToOne(() => Conversation, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'conversation_id', foreignKeyConstraintName: 'messages_conversation_id_fkey' })
  conversation?: Conversation;

  @Index('messages_sender_id_idx')
  @Column({ name: 'sender_id', type: 'int' })
  senderId: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'sender_id', foreignKeyConstraintName: 'messages_sender_id_fkey' })
  sender?: User;

  /** Position in the conversation, from 1, without gaps (see the MessageSequence migration). */
  @Column({ type: 'bigint' })
  seq: string;

  @Column({ type: 'text' })
  text: string;

  @Column({ name: 'client_id', type: 'varchar', length: 64, nullable: true })
  clientId: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'edited_at', type: 'timestamptz', nullable: true })
  editedAt: Date | null;

  /** Set when deleted: the row keeps its id and seq (pages and cursors stay put); its text is emptied. */
  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt: Date | null;

  /** Summary of `message_reactions` for this message, `[{emoji, count, users}]`, kept by each change. */
  @Column({ type: 'jsonb', default: () => "'[]'" })
  reactions: unknown;

  /** The message this one answers, in the same conversation. */
  @Column({ name: 'reply_to_id', type: 'bigint', nullable: true })
  replyToId: string | null;

  @ManyToOne(() => Message, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'reply_to_id', foreignKeyConstraintName: 'messages_reply_to_id_fkey' })
  replyTo?: Message;
}
