import { applyDecorators, BadRequestException, Body, Controller, Get, HttpCode, Patch, Post, Query, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConsumes,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiTags,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import { CurrentUser, type AuthenticatedUser } from '../common/decorators/current-user.decorator.js';
import { ErrorResponseDto } from '../common/errors/error-response.dto.js';
import { MessageDto } from '../auth/dto/auth.dto.js';
import { FriendRequestDto, ProfileDto, SearchUserQueryDto, UpdateProfileDto } from './dto/profile.dto.js';
import { toProfileDto } from './profile.mappers.js';
import { ProfilesService } from './profiles.service.js';

/** A friendship change: `POST profiles/api/<path>/` with `{username}`, answered 200 `{message}`. */
const FriendshipRoute = (path: string, summary: string, refused: string) =>
  applyDecorators(Post(path), HttpCode(200), ApiOperation({ summary }), ApiOkResponse({ type: MessageDto }), ApiBadRequestResponse({ type: ErrorResponseDto, description: refused }));

@ApiTags('profiles')
@Controller('profiles/api')
export class ProfilesController {
  constructor(private readonly profiles: ProfilesService) {}

  @Get('profile')
  @ApiOperation({ summary: "The current user's profile, friends and latest posts" })
  @ApiOkResponse({ type: ProfileDto })
  async get(@CurrentUser() user: AuthenticatedUser): Promise<ProfileDto> {
    return toProfileDto(await this.profiles.getFullProfile(user.id));
  }

  @Patch('profile')
  @ApiOperation({ summary: 'Edit the bio or email' })
  @ApiOkResponse({ type: ProfileDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid field, or email already taken' })
  async update(@CurrentUser() user: AuthenticatedUser, @Body() body: UpdateProfileDto): Promise<ProfileDto> {
    return toProfileDto(await this.profiles.update(user.id, body));
  }

  @Post('profile/image')
  @HttpCode(200)
  @UseInterceptors(FileInterceptor('image'))
  @ApiOperation({ summary: 'Upload a profile picture (multipart field "image")' })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', required: ['image'], properties: { image: { type: 'string', format: 'binary' } } } })
  @ApiOkResponse({ type: ProfileDto })
  @ApiPayloadTooLargeResponse({ type: ErrorResponseDto, description: 'Larger than MEDIA_MAX_BYTES' })
  @ApiUnsupportedMediaTypeResponse({ type: ErrorResponseDto, description: 'Not a JPEG, PNG, GIF or WebP image' })
  async uploadImage(@CurrentUser() user: AuthenticatedUser, @UploadedFile() file: Express.Multer.File | undefined): Promise<ProfileDto> {
    return toProfileDto(await this.profiles.setImage(user.id, file));
  }

  @Get('search-user')
  @ApiOperation({ summary: 'Another user’s profile and posts, by exact username' })
  @ApiOkResponse({ type: ProfileDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'No username given' })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async search(@Query() query: SearchUserQueryDto): Promise<ProfileDto> {
    if (!query.username?.trim()) throw new BadRequestException('The username query parameter is required.');
    return toProfileDto(await this.profiles.findByUsername(query.username.trim()));
  }

  @FriendshipRoute('add-friend', 'Add a friend (symmetric)', 'Unknown user, yourself, or already friends')
  async addFriend(@CurrentUser() user: AuthenticatedUser, @Body() body: FriendRequestDto): Promise<MessageDto> {
    const friend = await this.profiles.addFriend(user.id, body.username);
    return { message: `${friend.username} was added to your friends.` };
  }

  @FriendshipRoute('remove-friend', 'Remove a friend (both ways)', 'Unknown user or not a friend')
  async removeFriend(@CurrentUser() user: AuthenticatedUser, @Body() body: FriendRequestDto): Promise<MessageDto> {
    const friend = await this.profiles.removeFriend(user.id, body.username);
    return { message: `${friend.username} was removed from your friends.` };
  }
}

