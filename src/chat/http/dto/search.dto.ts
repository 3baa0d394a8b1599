import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { IsDbIdQuery } from '../../../common/validation/ids.js';
import { SEARCH_PAGE_MAX, SEARCH_QUERY_MAX } from '../../chat.limits.js';

export class SearchMessagesQueryDto {
  /** Words to find, as a web search engine reads them: `"a phrase"`, `or`, `-left out`. English and Russian words match their other forms (`друзья` finds `друзей`). */
  @IsString()
  @MinLength(1, { message: 'This field may not be blank.' })
  @MaxLength(SEARCH_QUERY_MAX, { message: `Ensure this field has no more than ${SEARCH_QUERY_MAX} characters.` })
  q: string;

  /** Only this conversation (else all of the caller's). */
  @IsDbIdQuery()
  conversation?: number;

  /** Where the previous page ended: the cursor of its `Link: rel="next"`. */
  @IsOptional()
  @IsString()
  @Matches(/^\d+(\.\d+)?(e-?\d+)?_\d{1,16}$/, { message: 'Invalid cursor.' })
  before?: string;

  /** Results per page, 1 to 50 (default 20). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(SEARCH_PAGE_MAX)
  limit?: number;
}
