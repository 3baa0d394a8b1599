import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { IsDbIdQuery } from '../../common/validation/ids.js';

export const USERS_PAGE_DEFAULT = 50;
export const USERS_PAGE_MAX = 200;

export class ListUsersQueryDto {
  /** Case-insensitive username prefix. */
  @IsOptional()
  @IsString()
  @MaxLength(150)
  search?: string;

  /** Page size, 1 to 200 (default 50). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(USERS_PAGE_MAX)
  limit?: number;

  /** Keyset cursor: only users with a larger id (the `Link: rel="next"` header carries it). */
  @IsDbIdQuery(0)
  after?: number;
}
