import { IsEmail, IsOptional, IsString, IsUrl, Length, Matches, MaxLength, MinLength, ValidateBy } from 'class-validator';
import { usernameProblem } from '../username-rules.js';

/** Django's username rule: letters, digits and `_ . - @ +`. */
export const USERNAME_PATTERN = /^[\p{L}\p{N}_.@+-]+$/u;
export const PASSWORD_MIN = 8;
/** Long passphrases are welcome, but not megabytes fed to argon2. */
export const PASSWORD_MAX = 128;

export class CreateAccountDto {
  /** 1 to 150 characters: letters, digits and `_ . - @ +`; unique regardless of case. */
  @IsString()
  @Length(1, 150)
  @Matches(USERNAME_PATTERN, { message: 'Enter a valid username. It may contain only letters, numbers, and @/./+/-/_ characters.' })
  @ValidateBy({
    name: 'unconfusableUsername',
    validator: { validate: (value: unknown) => typeof value === 'string' && usernameProblem(value) === null, defaultMessage: (args) => usernameProblem(String(args?.value)) ?? '' },
  })
  username: string;

  @IsString()
  @MaxLength(254)
  @IsEmail({}, { message: 'Enter a valid email address.' })
  email: string;

  /** 8 to 128 characters, no composition rules. */
  @IsString()
  @MinLength(PASSWORD_MIN, { message: `This password is too short. It must contain at least ${PASSWORD_MIN} characters.` })
  @MaxLength(PASSWORD_MAX, { message: `This password is too long. It may contain at most ${PASSWORD_MAX} characters.` })
  password: string;
}

export class RegisterDto extends CreateAccountDto {
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  bio?: string;

  /** An external http(s) picture URL. */
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false }, { message: 'Enter a valid http(s) URL.' })
  profile_picture?: string;
}
