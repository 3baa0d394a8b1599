import { Body, Controller, Delete, HttpCode } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNoContentResponse, ApiOperation, ApiTags, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import { ClientIp } from '../common/decorators/client-ip.decorator.js';
import { CurrentUser, type AuthenticatedUser } from '../common/decorators/current-user.decorator.js';
import { ErrorResponseDto } from '../common/errors/error-response.dto.js';
import { AccountDeletionService } from './account-deletion.service.js';
import { DeleteAccountDto } from './dto/delete-account.dto.js';

@ApiTags('profiles')
@Controller('profiles/api')
export class AccountsController {
  constructor(private readonly deletion: AccountDeletionService) {}

  /**
   * Deletes the account, confirmed by its password. Profile, picture, posts, friendships,
   * sessions and memberships are removed; sent messages stay in their conversations under a
   * scrubbed sender (`~deleted~<id>`). Every token of the account stops working at once.
   */
  @Delete('profile')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete the account (password confirmation)' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Missing or incorrect password' })
  @ApiTooManyRequestsResponse({ type: ErrorResponseDto, description: 'Too many failed confirmations (login throttling)' })
  async delete(@CurrentUser() user: AuthenticatedUser, @Body() body: DeleteAccountDto, @ClientIp() ip: string): Promise<void> {
    await this.deletion.deleteAccount(user.id, body.password, ip);
  }
}
