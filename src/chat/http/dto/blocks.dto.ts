import { Max, Min, IsInt } from 'class-validator';
import { AcceptsNumericString } from '../../../common/validation/form-values.decorator.js';
import { PK_MISSING } from '../../../common/validation/drf-messages.js';
import { MAX_DB_ID } from '../../../common/validation/ids.js';

export class BlockUserDto {
  /** The user to block (an id). */
  @AcceptsNumericString()
  @Min(1, PK_MISSING)
  @Max(MAX_DB_ID, PK_MISSING)
  @IsInt({ message: 'A valid integer is required.' })
  user: number;
}

export class BlockedUserDto {
  id: number;
  username: string;
}

export class BlockDto {
  user: BlockedUserDto;
  /** ISO 8601, UTC. */
  created_at: string;
}
