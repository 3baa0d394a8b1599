/**
 * Every 4xx and 5xx body, in Django REST framework's shapes (see `errorBody`). Its OpenAPI schema
 * is written by `buildOpenApiDocument` ({@link ERROR_RESPONSE_SCHEMA}): a union the Swagger
 * plugin cannot express from a class.
 */
export class ErrorResponseDto {}

/** `{"detail": "…", "code": "…"}`, or `{"<field>": ["…"]}` for input errors. */
export const ERROR_RESPONSE_SCHEMA = {
  description:
    'Django REST framework\'s error shapes. Input errors: `{"<field>": ["message", …]}` (`non_field_errors` for the whole body). ' +
    'Anything else: `{"detail": "…", "code": "…"}`; SimpleJWT\'s token errors add `messages`. The request id is in the `X-Request-Id` header.',
  anyOf: [
    {
      type: 'object',
      title: 'ErrorDetail',
      required: ['detail', 'code'],
      properties: {
        detail: { type: 'string', description: 'A human-readable explanation.' },
        code: { type: 'string', description: 'DRF/SimpleJWT code: `not_authenticated`, `token_not_valid`, `not_found`, `permission_denied`, `throttled`, `parse_error`, …' },
        messages: {
          type: 'array',
          description: 'SimpleJWT: why the access token failed.',
          items: {
            type: 'object',
            required: ['token_class', 'token_type', 'message'],
            properties: { token_class: { type: 'string' }, token_type: { type: 'string' }, message: { type: 'string' } },
          },
        },
      },
    },
    {
      type: 'object',
      title: 'ValidationErrors',
      description: 'Problems by field name (dotted for nested fields).',
      minProperties: 1,
      additionalProperties: { type: 'array', items: { type: 'string' }, minItems: 1 },
    },
  ],
} as const;
