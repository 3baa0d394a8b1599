import { applyDecorators, Body, Controller, Delete, HttpCode, Post, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import { AuthService } from '../auth/auth.service.js';
import { AccountCreatedDto } from '../auth/dto/auth.dto.js';
import { RegistrationThrottleGuard } from '../auth/throttle/registration-throttle.guard.js';
import { ClientIp } from '../common/decorators/client-ip.decorator.js';
import { CurrentUser, type AuthenticatedUser } from '../common/decorators/current-user.decorator.js';
import { Public } from '../common/decorators/public.decorator.js';
import { ErrorResponseDto } from '../common/errors/error-response.dto.js';
import { CreateAccountDto, RegisterDto } from '../users/dto/register.dto.js';
import { RegisteredDto } from '../users/dto/user.dto.js';
import { toUserSummary } from '../users/user.mappers.js';
import { AccountDeletionService } from './account-deletion.service.js';
import { AccountRegistrationService } from './account-registration.service.js';
import { DeleteAccountDto } from './dto/delete-account.dto.js';

/** A public registration route (a per-address budget, REGISTRATIONS_PER_IP_PER_MINUTE), under the tag its family had. */
const RegistrationRoute = (path: string, tag: string) =>
  applyDecorators(
    ApiTags(tag),
    Public(),
    UseGuards(RegistrationThrottleGuard),
    Post(path),
    ApiTooManyRequestsResponse({ type: ErrorResponseDto, description: 'Too many registrations from this address (REGISTRATIONS_PER_IP_PER_MINUTE); see Retry-After' }),
    ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid field, or username/email already taken' }),
  );

/** Creating and deleting accounts, on the routes each contract gives them. */
@Controller()
export class AccountsController {
  constructor(
    private readonly registration: AccountRegistrationService,
    private readonly deletion: AccountDeletionService,
    private readonly auth: AuthService,
  ) {}

  /** Registration of the `/register/` family: the account with an optional bio and picture URL. */
  @RegistrationRoute('register', 'accounts')
  @ApiOperation({ summary: 'Register a user' })
  @ApiCreatedResponse({ type: RegisteredDto })
  async register(@Body() body: RegisterDto): Promise<RegisteredDto> {
    const user = await this.registration.register({ username: body.username, email: body.email, password: body.password, bio: body.bio, profilePicture: body.profile_picture });
    return { message: 'User registered successfully!', user_id: user.id };
  }

  /**
   * Registration of the `/accounts/` family, answered as the original: the account and an access
   * token that works at once (with the family's long lifetime), status 200.
   */
  @RegistrationRoute('accounts/api/users', 'auth')
  @ApiOperation({ summary: 'Create a user (returns it with an access token)' })
  @HttpCode(200)
  @ApiOkResponse({ type: AccountCreatedDto })
  async createAccount(@Body() body: CreateAccountDto): Promise<AccountCreatedDto> {
    const user = await this.registration.register(body);
    const { access } = await this.auth.openSession(user.id, 'accounts');
    return { user: toUserSummary(user), token: access };
  }

  /**
   * Deletes the account, confirmed by its password. Profile, picture, posts, friendships,
   * sessions and memberships are removed; sent messages stay in their conversations under a
   * scrubbed sender (`~deleted~<id>`). Every token of the account stops working at once.
   */
  @ApiTags('profiles')
  @Delete('profiles/api/profile')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete the account (password confirmation)' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Missing or incorrect password' })
  @ApiTooManyRequestsResponse({ type: ErrorResponseDto, description: 'Too many failed confirmations (login throttling)' })
  async delete(@CurrentUser() user: AuthenticatedUser, @Body() body: DeleteAccountDto, @ClientIp() ip: string): Promise<void> {
    await this.deletion.deleteAccount(user.id, body.password, ip);
  }
}
