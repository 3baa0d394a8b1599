import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/**
 * An account. Usernames are unique case-insensitively and emails unique after lower-casing; both
 * rules are expression indexes created by the migration (TypeORM cannot declare them).
 */
@Entity({ name: 'users' })
@Index('users_username_lower_key', { synchronize: false })
@Index('users_email_lower_key', { synchronize: false })
export class User {
  @PrimaryGeneratedColumn('identity', { generatedIdentity: 'ALWAYS', primaryKeyConstraintName: 'users_pkey' })
  id: number;

  @Column({ type: 'varchar', length: 150 })
  username: string;

  /** The username NFKC-normalised and case-folded: unique, so look-alike names are one name. */
  @Index('users_username_key_key', { unique: true })
  @Column({ name: 'username_key', type: 'varchar', length: 600, nullable: true, select: false })
  usernameKey: string | null;

  @Column({ type: 'varchar', length: 254 })
  email: string;

  @Column({ name: 'password_hash', type: 'varchar', length: 255, select: false })
  passwordHash: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  /** Django's active flag, kept by an import: an inactive account cannot log in or use its tokens. */
  @Column({ name: 'is_active', type: 'boolean', default: true, select: false })
  isActive: boolean;

  /** Set when the account was deleted: the row stays (scrubbed) as the sender of old messages. */
  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true, select: false })
  deletedAt: Date | null;
}
