import { CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { User } from '../../users/entities/user.entity.js';
import { Message } from './message.entity.js';

/** One user's reaction with one emoji to one message. */
@Entity({ name: 'message_reactions' })
@Index('message_reactions_user_id_idx', ['userId'])
export class MessageReaction {
  @PrimaryColumn({ name: 'message_id', type: 'bigint', primaryKeyConstraintName: 'message_reactions_pkey' })
  messageId: string;

  @PrimaryColumn({ type: 'varchar', length: 64, primaryKeyConstraintName: 'message_reactions_pkey' })
  emoji: string;

  @PrimaryColumn({ name: 'user_id', type: 'int', primaryKeyConstraintName: 'message_reactions_pkey' })
  userId: number;

  @ManyToOne(() => Message, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'message_id', foreignKeyConstraintName: 'message_reactions_message_id_fkey' })
  message?: Message;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'message_reactions_user_id_fkey' })
  user?: User;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
