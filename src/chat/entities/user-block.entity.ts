import { Check, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { User } from '../../users/entities/user.entity.js';

/** `blockerId` has blocked `blockedId`: no new direct conversation or message from them, no presence or typing to them. */
@Entity({ name: 'user_blocks' })
@Check('user_blocks_not_self', '"blocker_id" <> "blocked_id"')
@Index('user_blocks_blocked_id_idx', ['blockedId'])
export class UserBlock {
  @PrimaryColumn({ name: 'blocker_id', type: 'int', primaryKeyConstraintName: 'user_blocks_pkey' })
  blockerId: number;

  @PrimaryColumn({ name: 'blocked_id', type: 'int', primaryKeyConstraintName: 'user_blocks_pkey' })
  blockedId: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'blocker_id', foreignKeyConstraintName: 'user_blocks_blocker_id_fkey' })
  blocker?: User;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'blocked_id', foreignKeyConstraintName: 'user_blocks_blocked_id_fkey' })
  blocked?: User;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
