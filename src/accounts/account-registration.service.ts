import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { QueryFailedError, type DataSource } from 'typeorm';
import { FieldValidationException } from '../common/errors/api-exceptions.js';
import { ProfilesRepository } from '../profiles/profiles.repository.js';
import type { User } from '../users/entities/user.entity.js';
import { PasswordHasher } from '../users/password-hasher.service.js';
import { usernameKey } from '../users/username-rules.js';
import { UsersRepository } from '../users/users.repository.js';

export interface NewAccount {
  username: string;
  email: string;
  password: string;
  bio?: string;
  profilePicture?: string | null;
}

const DUPLICATE_USERNAME = 'A user with that username already exists.';
const DUPLICATE_EMAIL = 'A user with that email already exists.';

/** The one owner of creating an account: the user and its profile row, in one transaction through each module's repository. */
@Injectable()
export class AccountRegistrationService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UsersRepository,
    private readonly profiles: ProfilesRepository,
    private readonly hasher: PasswordHasher,
  ) {}

  /** Creates the account and its profile. Duplicate username or email → 400 naming the field. */
  async register(account: NewAccount): Promise<User> {
    // Cheap uniqueness check first, so a duplicate costs no hashing; the unique indexes still
    // decide races (caught below).
    const key = usernameKey(account.username);
    const taken = await this.users.taken(account.username, key, account.email);
    const fields: Record<string, string[]> = {};
    if (taken.username) fields.username = [DUPLICATE_USERNAME];
    if (taken.email) fields.email = [DUPLICATE_EMAIL];
    if (Object.keys(fields).length) throw new FieldValidationException(fields);

    const passwordHash = await this.hasher.hash(account.password);
    try {
      return await this.dataSource.transaction(async (manager) => {
        const user = await this.users.insert({ username: account.username, usernameKey: key, email: account.email.trim(), passwordHash }, manager);
        await this.profiles.create(user.id, { bio: account.bio ?? null, image: account.profilePicture ?? null }, manager);
        return user;
      });
    } catch (error) {
      const constraint = error instanceof QueryFailedError ? (error.driverError as { constraint?: string }).constraint : undefined;
      if (constraint === 'users_username_lower_key' || constraint === 'users_username_key_key') throw FieldValidationException.forField('username', DUPLICATE_USERNAME);
      if (constraint === 'users_email_lower_key') throw FieldValidationException.forField('email', DUPLICATE_EMAIL);
      throw error;
    }
  }
}
