import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { User } from '../../users/entities/user.entity.js';

/** When a user was last connected (their last real-time connection closed). Whether they are online now lives in the presence store. */
@Entity({ name: 'user_presence' })
export class UserPresence {
  @PrimaryColumn({ name: 'user_id', type: 'int', primaryKeyConstraintName: 'user_presence_pkey' })
  userId: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'user_presence_user_id_fkey' })
  user?: User;

  @Column({ name: 'last_seen_at', type: 'timestamptz' })
  lastSeenAt: Date;
}
