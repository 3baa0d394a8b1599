import { Column, Entity, JoinColumn, OneToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { User } from '../../users/entities/user.entity.js';

/** The public face of a user: bio and picture. One row per user, created with the account. */
@Entity({ name: 'profiles' })
export class Profile {
  @PrimaryColumn({ name: 'user_id', type: 'int', primaryKeyConstraintName: 'profiles_pkey' })
  userId: number;

  @OneToOne('User', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'profiles_user_id_fkey' })
  user?: User;

  /** Null until the user sets one, as in the original. */
  @Column({ type: 'text', nullable: true })
  bio: string | null;

  /** An uploaded file's path under /media/, an external http(s) URL given at registration, or null. */
  @Column({ type: 'varchar', length: 2048, nullable: true })
  image: string | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
