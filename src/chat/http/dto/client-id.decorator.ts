import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches } from 'class-validator';
import { CLIENT_ID_PATTERN, CLIENT_ID_RULE } from '../../chat.limits.js';

/**
 * The optional idempotency key of a send. It states its OpenAPI schema itself: the Swagger plugin
 * sees only the class-validator decorators written on the property, not those inside this one.
 */
export const IsClientId = () =>
  // Listed nearest-first, as stacked decorators apply (the first failing check is the one reported).
  applyDecorators(Matches(CLIENT_ID_PATTERN, { message: CLIENT_ID_RULE }), IsString(), IsOptional(), ApiPropertyOptional({ type: String, pattern: CLIENT_ID_PATTERN.source }));
