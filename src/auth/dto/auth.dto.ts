import { IsJWT, IsString, MaxLength, MinLength } from 'class-validator';
import { LoginUserDto } from '../../users/dto/user.dto.js';

export class LoginDto {
  @IsString()
  @MinLength(1)
  @MaxLength(150)
  username: string;

  @IsString()
  @MinLength(1)
  @MaxLength(128)
  password: string;
}

export class RefreshDto {
  /** A refresh token from login or a previous refresh. */
  @IsString()
  @MaxLength(4096)
  @IsJWT({ message: 'Must be a JSON Web Token.' })
  refresh: string;
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
