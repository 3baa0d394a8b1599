import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { PUBLIC_EXTENSION } from '../common/decorators/public.decorator.js';
import { ERROR_RESPONSE_SCHEMA, ErrorResponseDto } from '../common/errors/error-response.dto.js';

/** Paths that keep no trailing slash; every contract route is written with one (Django style). */
const BARE_PATHS = [/^\/health/, /^\/metrics/];

/** A response with the one error body shape. */
function errorResponse(description: string) {
  return { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponseDto' } } } };
}

function sortKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(sortKeys) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    ) as T;
  }
  return value;
}

/**
 * The OpenAPI document, deterministic (sorted keys) so the committed `openapi.json` diffs cleanly.
 * Operations not marked `@Public()` get bearer security and a 401 response here, mirroring the
 * default-deny guard, so no route can be documented as open by forgetting an annotation.
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Palaver API')
    .setDescription(
      'Chat and social backend. Two route families share one set of users and conversations: ' +
        '`/register/`, `/login/`, `/api/…` and `/accounts/`, `/profiles/`, `/messenger/`. ' +
        "Errors have Django REST framework's shapes (ErrorResponseDto). Paths accept the trailing slash or not.",
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
    .build();
  const document = SwaggerModule.createDocument(app, config, { extraModels: [ErrorResponseDto], autoTagControllers: false });
  (document.components!.schemas as Record<string, unknown>).ErrorResponseDto = ERROR_RESPONSE_SCHEMA;

  const paths: OpenAPIObject['paths'] = {};
  for (const [path, item] of Object.entries(document.paths)) {
    const documentedPath = BARE_PATHS.some((re) => re.test(path)) || path.endsWith('/') ? path : `${path}/`;
    for (const method of ['get', 'put', 'post', 'delete', 'patch'] as const) {
      const operation = item[method] as (Record<string, unknown> & { responses: Record<string, unknown> }) | undefined;
      if (!operation) continue;
      if (operation[PUBLIC_EXTENSION]) {
        delete operation[PUBLIC_EXTENSION];
        operation.security = [];
      } else {
        operation.security = [{ bearer: [] }];
        operation.responses['401'] ??= errorResponse('Missing, invalid or expired access token');
      }
      operation.responses['400'] ??= errorResponse('Invalid input');
      // DRF's parsers: JSON, forms and multipart forms; any other body is 415, on every write route (even one that reads no body).
      if (operation.requestBody || method !== 'get' && method !== 'delete') operation.responses['415'] ??= errorResponse('A body of a media type other than JSON, a form or a multipart form');
      // Any operation can meet a database outage or a draining server; both answer at once.
      operation.responses['503'] ??= errorResponse('Database unreachable or the server is shutting down; retry, with the same `client_id` for sends');
    }
    paths[documentedPath] = item;
  }
  document.paths = paths;
  return sortKeys(document);
}
