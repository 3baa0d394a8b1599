/** A user as the `/accounts/` family and message senders show it. */
export class UserSummaryDto {
  id: number;
  username: string;
  email: string;
}

/** A user as the `/login/` family shows it. */
export class LoginUserDto extends UserSummaryDto {
  bio: string;
  /** Picture URL: an uploaded file or the default picture under /media/, or an external URL given at registration. */
  profile_picture: string;
}

export class RegisteredDto {
  /** Always `User registered successfully!`. */
  message: string;
  user_id: number;
}
