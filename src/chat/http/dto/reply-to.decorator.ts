import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { PK_MISSING, PK_TYPE } from '../../../common/validation/drf-messages.js';
import { AcceptsNumericString } from '../../../common/validation/form-values.decorator.js';

/**
 * The optional `reply_to` of a send: a message id (a number, or its digits). Whether it is a
 * message of the same conversation is the chat service's check (400 `reply_to` either way).
 */
export const IsReplyTo = () =>
  // Listed nearest-first, as stacked decorators apply (the first failing check is the one reported).
  applyDecorators(
    Max(Number.MAX_SAFE_INTEGER, PK_MISSING),
    Min(1, PK_MISSING),
    IsInt(PK_TYPE),
    IsOptional(),
    AcceptsNumericString(),
    ApiPropertyOptional({ type: Number, nullable: true, minimum: 1 }),
  );
