import { IsString, MaxLength, MinLength } from 'class-validator';
import { LoginUserDto, UserSummaryDto } from '../../users/dto/user.dto.js';

export class LoginDto {
  @IsString()
  @MinLength(1)
  @MaxLength(150)
  username: string;

  @IsString()
  @MinLength(1)
  @MaxLength(4096)
  password: string;
}

export class RefreshDto {
  /** A refresh token from login or a previous refresh (anything else is 401 `token_not_valid`). */
  @IsString()
  @MinLength(1)
  refresh: string;
}

export class VerifyDto {
  /** An access or refresh token (anything else is 401 `token_not_valid`). */
  @IsString()
  @MinLength(1)
  token: string;
}

/** What `/accounts/api/users/` answers: the new account and an access token that works at once. */
export class AccountCreatedDto {
  user: UserSummaryDto;
  /** Access token (JWT, 30 days by default): send as `Authorization: Bearer …`. */
  token: string;
}

export class LoginResponseDto {
  user: LoginUserDto;
  /** Access token (JWT, 15 minutes by default): send as `Authorization: Bearer …`. */
  access: string;
  /** Refresh token (JWT, 7 days by default): exchange at a token refresh route. */
  refresh: string;
}

export class TokenPairDto {
  refresh: string;
  access: string;
}

export class RefreshResponseDto {
  access: string;
  /** The new refresh token (the one sent is now spent), or the same one when rotation is off. */
  refresh: string;
}

export class MessageDto {
  message: string;
}
