import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import type { TokenProfile } from '../tokens.service.js';
import { User } from '../../users/entities/user.entity.js';

/**
 * One login: the family of refresh tokens that descend from it by rotation (RFC 9700 §4.14).
 * Revoking the session (logout, or reuse of a rotated token) ends every token of the family.
 */
@Entity({ name: 'auth_sessions' })
@Check('auth_sessions_token_profile_check', `"token_profile" IN ('api', 'accounts')`)
export class AuthSession {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'auth_sessions_pkey' })
  id: string;

  @Index('auth_sessions_user_id_idx')
  @Column({ name: 'user_id', type: 'int' })
  userId: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'auth_sessions_user_id_fkey' })
  user?: User;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  /** The route family that opened the session, which sets its tokens' lifetimes. */
  @Column({ name: 'token_profile', type: 'varchar', length: 16, default: 'api' })
  tokenProfile: TokenProfile;

  /** `logout` or `reuse`. */
  @Column({ name: 'revoked_reason', type: 'varchar', length: 32, nullable: true })
  revokedReason: string | null;
}
