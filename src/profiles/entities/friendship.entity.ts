import { Check, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { User } from '../../users/entities/user.entity.js';

/**
 * Friendship is symmetric and stored as two rows (a→b and b→a), written and deleted together, so
 * "friends of X" is one index range scan.
 */
@Entity({ name: 'friendships' })
@Check('friendships_not_self', '"user_id" <> "friend_id"')
export class Friendship {
  @PrimaryColumn({ name: 'user_id', type: 'int', primaryKeyConstraintName: 'friendships_pkey' })
  userId: number;

  @PrimaryColumn({ name: 'friend_id', type: 'int', primaryKeyConstraintName: 'friendships_pkey' })
  friendId: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'friendships_user_id_fkey' })
  user?: User;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'friend_id', foreignKeyConstraintName: 'friendships_friend_id_fkey' })
  friend?: User;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
