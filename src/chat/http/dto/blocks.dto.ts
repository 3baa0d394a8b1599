import { Max, Min, IsInt } from 'class-validator';
import { AcceptsNumericString } from '../../../common/validation/form-values.decorator.js';
import { MAX_DB_ID } from '../../../common/validation/ids.js';

const pkMissing = { message: ({ value }: { value: unknown }) => `Invalid pk "${String(value)}" - object does not exist.` };

export class BlockUserDto {
  /** The user to block (an id). */
  @AcceptsNumericString()
  @Min(1, pkMissing)
  @Max(MAX_DB_ID, pkMissing)
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
