import { SetMetadata } from '@nestjs/common';

export const IS_REGISTRATION_KEY = 'palaver:isRegistration';

/**
 * A route that creates an account. Each costs an argon2 hash, so the registration throttle (in
 * AuthModule) gives every client address a budget per minute.
 */
export const Registration = () => SetMetadata(IS_REGISTRATION_KEY, true);
