import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** The largest id a row can have: ids are PostgreSQL `integer`s. */
export const MAX_DB_ID = 2147483647;

/** A value that can be a row's id: a whole number from 1 to {@link MAX_DB_ID}. */
export function isDbId(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= MAX_DB_ID;
}

/**
 * An optional query parameter holding an id (or a keyset cursor on ids, from `min`), read from its
 * digits. It states its OpenAPI schema itself: the Swagger plugin sees only the class-validator
 * decorators written on the property, not those inside this one.
 */
export const IsDbIdQuery = (min: 0 | 1 = 1) =>
  // Listed nearest-first, as stacked decorators apply (the first failing check is the one reported).
  applyDecorators(Max(MAX_DB_ID), Min(min), IsInt(), Type(() => Number), IsOptional(), ApiPropertyOptional({ type: Number, minimum: min, maximum: MAX_DB_ID }));
