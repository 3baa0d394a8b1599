import { createParamDecorator, ExecutionContext } from '@nestjs/common';

/** Who is calling: set by the JWT guard on every authenticated request. */
export interface AuthenticatedUser {
  id: number;
  username: string;
}

declare module 'express-serve-static-core' {
  interface Request {
    user?: AuthenticatedUser;
  }
}

export const CurrentUser = createParamDecorator((_data: unknown, ctx: ExecutionContext): AuthenticatedUser => {
  const user = ctx.switchToHttp().getRequest<{ user?: AuthenticatedUser }>().user;
  if (!user) throw new Error('CurrentUser used on a route without authentication');
  return user;
});
