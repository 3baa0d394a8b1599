import { IsString, Length } from 'class-validator';

export class DeleteAccountDto {
  /** The account's current password, to confirm. */
  @IsString()
  @Length(1, 128)
  password: string;
}
