import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags, ApiTooManyRequestsResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Request } from 'express';
import { ClientIp } from '../common/decorators/client-ip.decorator.js';
import { Public } from '../common/decorators/public.decorator.js';
import { ErrorResponseDto } from '../common/errors/error-response.dto.js';
import { toLoginUser } from '../users/user.mappers.js';
import { AuthService } from './auth.service.js';
import { LoginDto, LoginResponseDto, MessageDto, RefreshDto, RefreshResponseDto, TokenPairDto, VerifyDto } from './dto/auth.dto.js';

const BAD_CREDENTIALS = 'Wrong username or password: `{"detail": "No active account found with the given credentials", "code": "no_active_account"}`';
const BAD_TOKEN = 'Invalid, expired, revoked or reused token: `{"detail": "…", "code": "token_not_valid"}` (SimpleJWT)';

@ApiTags('auth')
@Public()
@Controller()
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Log in (returns the user and a token pair)' })
  @ApiOkResponse({ type: LoginResponseDto })
  @ApiUnauthorizedResponse({ type: ErrorResponseDto, description: BAD_CREDENTIALS })
  @ApiTooManyRequestsResponse({ type: ErrorResponseDto, description: 'Too many failed attempts; see Retry-After' })
  async login(@Body() body: LoginDto, @ClientIp() ip: string): Promise<LoginResponseDto> {
    const { user, access, refresh } = await this.auth.login(body.username, body.password, ip);
    return { user: toLoginUser(user), access, refresh };
  }

  /** SimpleJWT's TokenObtainPairView, in both families; tokens from `/accounts/` live as long as the original's. */
  @Post(['api/token', 'accounts/api/token'])
  @HttpCode(200)
  @ApiOperation({ summary: 'Obtain a token pair (SimpleJWT)' })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiUnauthorizedResponse({ type: ErrorResponseDto, description: BAD_CREDENTIALS })
  @ApiTooManyRequestsResponse({ type: ErrorResponseDto, description: 'Too many failed attempts; see Retry-After' })
  async obtainToken(@Body() body: LoginDto, @ClientIp() ip: string, @Req() request: Request): Promise<TokenPairDto> {
    const profile = request.path.startsWith('/accounts/') ? 'accounts' : 'api';
    const { access, refresh } = await this.auth.login(body.username, body.password, ip, profile);
    return { refresh, access };
  }

  @Post(['api/token/refresh', 'accounts/api/token/refresh'])
  @HttpCode(200)
  @ApiOperation({ summary: 'Refresh the access token (rotates the refresh token)' })
  @ApiOkResponse({ type: RefreshResponseDto })
  @ApiUnauthorizedResponse({ type: ErrorResponseDto, description: BAD_TOKEN })
  refresh(@Body() body: RefreshDto): Promise<RefreshResponseDto> {
    return this.auth.refresh(body.refresh);
  }

  /** SimpleJWT's TokenVerifyView: `{}` for a token (access or refresh) that is valid and not revoked. */
  @Post(['api/token/verify', 'accounts/api/token/verify'])
  @HttpCode(200)
  @ApiOperation({ summary: 'Verify a token (SimpleJWT)' })
  @ApiOkResponse({ description: 'The token is valid: `{}`', schema: { type: 'object', properties: {}, additionalProperties: false } })
  @ApiUnauthorizedResponse({ type: ErrorResponseDto, description: BAD_TOKEN })
  async verify(@Body() body: VerifyDto): Promise<Record<string, never>> {
    await this.auth.verifyToken(body.token);
    return {};
  }

  @Post(['logout', 'accounts/api/token/blacklist'])
  @HttpCode(200)
  @ApiOperation({ summary: 'Log out: revoke the refresh token and its whole family' })
  @ApiOkResponse({ type: MessageDto })
  @ApiUnauthorizedResponse({ type: ErrorResponseDto, description: BAD_TOKEN })
  async logout(@Body() body: RefreshDto): Promise<MessageDto> {
    await this.auth.logout(body.refresh);
    return { message: 'Logged out.' };
  }
}
