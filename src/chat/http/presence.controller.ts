import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, type AuthenticatedUser } from '../../common/decorators/current-user.decorator.js';
import { PresenceService } from '../realtime/presence/presence.service.js';
import { PresenceDto, PresenceQueryDto } from './dto/presence.dto.js';

@ApiTags('conversations (/api/)')
@Controller('api')
export class PresenceController {
  constructor(private readonly presence: PresenceService) {}

  /**
   * Who of `users` is online, for the caller's contacts only (people sharing a conversation with
   * the caller, and friends): anyone else is simply absent from the answer, as is the caller.
   */
  @Get('presence')
  @ApiOperation({ summary: "Online state and last seen time of the caller's contacts" })
  @ApiOkResponse({ type: [PresenceDto] })
  async list(@CurrentUser() user: AuthenticatedUser, @Query() query: PresenceQueryDto): Promise<PresenceDto[]> {
    const states = await this.presence.statesFor(user.id, query.users);
    return states.map((s) => ({ user: s.user, online: s.online, last_seen: s.lastSeen?.toISOString() ?? null }));
  }
}
