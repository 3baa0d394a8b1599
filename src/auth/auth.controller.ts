import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags, ApiTooManyRequestsResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Request } from 'express';
import { Public } from '../common/decorators/public.decorator.js';
import { ErrorResponseDto } from '../common/errors/error-response.dto.js';
import { toLoginUser } from '../users/user.mappers.js';
import { AuthService } from './auth.service.js';
import { LoginDto, LoginResponseDto, MessageDto, RefreshDto, RefreshResponseDto, TokenPairDto } from './dto/auth.dto.js';

@ApiTags('auth')
@Public()
@Controller()
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Log in (returns the user and a token pair)' })
  @ApiOkResponse({ type: LoginResponseDto })
  @ApiUnauthorizedResponse({ type: ErrorResponseDto, description: 'Wrong username or password' })
  @ApiTooManyRequestsResponse({ type: ErrorResponseDto, description: 'Too many failed attempts; see Retry-After' })
  async login(@Body() body: LoginDto, @Req() request: Request): Promise<LoginResponseDto> {
    const { user, access, refresh } = await this.auth.login(body.username, body.password, request.ip ?? 'unknown');
    return { user: toLoginUser(user), access, refresh };
  }

  @Post('accounts/api/token')
  @HttpCode(200)
  @ApiOperation({ summary: 'Obtain a token pair' })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiUnauthorizedResponse({ type: ErrorResponseDto, description: 'Wrong username or password' })
  @ApiTooManyRequestsResponse({ type: ErrorResponseDto, description: 'Too many failed attempts; see Retry-After' })
  async obtainToken(@Body() body: LoginDto, @Req() request: Request): Promise<TokenPairDto> {
    const { access, refresh } = await this.auth.login(body.username, body.password, request.ip ?? 'unknown');
    return { refresh, access };
  }

  @Post(['api/token/refresh', 'accounts/api/token/refresh'])
  @HttpCode(200)
  @ApiOperation({ summary: 'Refresh the access token (rotates the refresh token)' })
  @ApiOkResponse({ type: RefreshResponseDto })
  @ApiUnauthorizedResponse({ type: ErrorResponseDto, description: 'Invalid, expired, revoked or reused refresh token' })
  refresh(@Body() body: RefreshDto): Promise<RefreshResponseDto> {
    return this.auth.refresh(body.refresh);
  }

  @Post(['logout', 'accounts/api/token/blacklist'])
  @HttpCode(200)
  @ApiOperation({ summary: 'Log out: revoke the refresh token and its whole family' })
  @ApiOkResponse({ type: MessageDto })
  @ApiUnauthorizedResponse({ type: ErrorResponseDto, description: 'Not a valid refresh token' })
  async logout(@Body() body: RefreshDto): Promise<MessageDto> {
    await this.auth.logout(body.refresh);
    return { message: 'Logged out.' };
  }
}
