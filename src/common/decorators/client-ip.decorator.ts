import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

/** The client's address as Express derives it (through the proxies TRUST_PROXY names). */
export function clientIp(request: Request): string {
  return request.ip ?? 'unknown';
}

/** The calling client's address, for throttling. */
export const ClientIp = createParamDecorator((_data: unknown, ctx: ExecutionContext): string => clientIp(ctx.switchToHttp().getRequest<Request>()));
