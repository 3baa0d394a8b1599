import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';

export const IS_PUBLIC_KEY = 'palaver:isPublic';
/** OpenAPI marker read by the document builder, which adds bearer auth to every other operation. */
export const PUBLIC_EXTENSION = 'x-palaver-public';

/**
 * Opens a route to anonymous callers. Everything else requires a valid access token (the global
 * JWT guard is default-deny), and the OpenAPI document says so without per-route annotations.
 */
export const Public = () => applyDecorators(SetMetadata(IS_PUBLIC_KEY, true), ApiExtension(PUBLIC_EXTENSION, true));
