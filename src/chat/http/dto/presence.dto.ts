import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, Max, Min } from 'class-validator';
import { MAX_DB_ID } from '../../../common/validation/ids.js';
import { PRESENCE_QUERY_MAX } from '../../chat.limits.js';

/** `1,2,3` (or `users=1&users=2`) → [1, 2, 3]; a part that is not digits stays as it is, for the validators to name. */
const idList = Transform(({ value }) => {
  const text = Array.isArray(value) ? value.join(',') : value;
  if (typeof text !== 'string') return text;
  return text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => (/^\d{1,10}$/.test(part) ? Number(part) : part));
});

/**
 * 1 to PRESENCE_QUERY_MAX user ids, comma-separated. Wrapped, so the Swagger plugin does not put
 * the list's rules on the query's string schema.
 */
const UserIdList = () =>
  applyDecorators(
    idList,
    IsArray({ message: 'This field is required.' }),
    ArrayMaxSize(PRESENCE_QUERY_MAX, { message: `Ensure this field has no more than ${PRESENCE_QUERY_MAX} elements.` }),
    ArrayMinSize(1, { message: 'This field is required.' }),
    IsInt({ each: true, message: 'A valid integer is required.' }),
    Max(MAX_DB_ID, { each: true, message: 'Each user id must be a positive integer.' }),
    Min(1, { each: true, message: 'Each user id must be a positive integer.' }),
  );

export class PresenceQueryDto {
  /** User ids, comma-separated (at most 100). */
  @ApiProperty({ type: String, example: '1,2,3' })
  @UserIdList()
  users: number[];
}

export class PresenceUserDto {
  id: number;
  username: string;
}

export class PresenceDto {
  user: PresenceUserDto;
  online: boolean;
  /** ISO 8601: now while online; else when their last connection closed (null: not seen since presence was recorded). */
  last_seen: string | null;
}
