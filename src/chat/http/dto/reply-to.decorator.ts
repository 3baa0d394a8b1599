import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { pythonTypeName } from '../../../common/validation/drf-messages.js';
import { AcceptsNumericString } from '../../../common/validation/form-values.decorator.js';

const pkMissing = { message: ({ value }: { value: unknown }) => `Invalid pk "${String(value)}" - object does not exist.` };

/**
 * The optional `reply_to` of a send: a message id (a number, or its digits). Whether it is a
 * message of the same conversation is the chat service's check (400 `reply_to` either way).
 */
export const IsReplyTo = () =>
  // Listed nearest-first, as stacked decorators apply (the first failing check is the one reported).
  applyDecorators(
    Max(Number.MAX_SAFE_INTEGER, pkMissing),
    Min(1, pkMissing),
    IsInt({ message: ({ value }: { value: unknown }) => `Incorrect type. Expected pk value, received ${pythonTypeName(value)}.` }),
    IsOptional(),
    AcceptsNumericString(),
    ApiPropertyOptional({ type: Number, nullable: true, minimum: 1 }),
  );
