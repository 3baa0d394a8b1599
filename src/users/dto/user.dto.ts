/** A user as the `/accounts/` family and message senders show it. */
export class UserSummaryDto {
  id: number;
  username: string;
  email: string;
}

/** A user as the `/login/` family shows it. */
export class LoginUserDto extends UserSummaryDto {
  bio: string;
  /** Picture URL (an external URL given at registration or an uploaded file under /media/), or null. */
  profile_picture: string | null;
}

export class RegisteredDto {
  /** Always `User registered successfully!`. */
  message: string;
  user_id: number;
}
