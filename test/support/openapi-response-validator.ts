import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

/**
 * Checks every HTTP answer of a test app against the committed `openapi.json`: the status must be
 * documented for the operation, the content type must be one the document lists, and a JSON body
 * must match its schema. Objects in responses are checked strictly (no undocumented fields), so
 * the document cannot drift from what the server says in either direction.
 *
 * It is an Express middleware installed before the routes by `startTestApp`, so it sees every
 * request of every e2e test whatever client made it (supertest, fetch, a browser).
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Schema = { [key: string]: Json };

interface OpenApiDocument {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema?: Schema }> }> }>>;
  components: { schemas: Record<string, Schema> };
}

export interface ResponseViolation {
  request: string;
  status: number;
  problem: string;
}

/** Answers made before routing (Node's parser, body-parser limits): their statuses belong to every operation. */
const PLATFORM_STATUSES = new Set([413, 431]);

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** OpenAPI 3.0 schema objects to JSON Schema: `nullable`, response strictness, no OpenAPI-only keys. */
function toJsonSchema(schema: Json, refBase: string): Json {
  if (Array.isArray(schema)) return schema.map((item) => toJsonSchema(item, refBase));
  if (!schema || typeof schema !== 'object') return schema;
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'nullable' || key === 'example' || key === 'examples' || key === 'xml') continue;
    if (key === 'format' && value === 'binary') continue;
    if (key === '$ref' && typeof value === 'string') out.$ref = `${refBase}${value}`;
    else if (key === 'properties' && value && typeof value === 'object' && !Array.isArray(value)) {
      out.properties = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, toJsonSchema(sub, refBase)]));
    } else out[key] = toJsonSchema(value, refBase);
  }
  if (out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  if (schema.nullable === true) return { anyOf: [out, { type: 'null' }] };
  return out;
}

interface Operation {
  method: string;
  template: string;
  pattern: RegExp;
  responses: Record<string, Record<string, ValidateFunction | null>>;
}

export class OpenApiResponseValidator {
  readonly violations: ResponseViolation[] = [];
  private readonly operations: Operation[] = [];
  private readonly errorShape: ValidateFunction;

  constructor(document: OpenApiDocument) {
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema({ $id: 'openapi', components: { schemas: toJsonSchema(document.components.schemas as Json, 'openapi') } } as Schema);
    this.errorShape = ajv.compile({ $ref: 'openapi#/components/schemas/ErrorResponseDto' });
    for (const [template, item] of Object.entries(document.paths)) {
      // Every route answers with or without its trailing slash; `{name}` is one path segment,
      // except a last parameter, which may span several (`/media/{path}/`).
      const source = template
        .replace(/\/$/, '')
        .split(/(\{[^}]+\})/)
        .map((part, i, parts) => (part.startsWith('{') ? (i === parts.length - 2 ? '(.+?)' : '([^/]+)') : part.replace(/[.*+?^$()|[\]\\]/g, '\\$&')))
        .join('');
      const pattern = new RegExp(`^${source}/?$`);
      for (const [method, operation] of Object.entries(item)) {
        const responses: Operation['responses'] = {};
        for (const [status, response] of Object.entries(operation.responses ?? {})) {
          responses[status] = {};
          for (const [mediaType, media] of Object.entries(response.content ?? {})) {
            responses[status][mediaType] =
              mediaType === 'application/json' && media.schema ? ajv.compile(toJsonSchema(media.schema, 'openapi') as Schema) : null;
          }
        }
        this.operations.push({ method: method.toUpperCase(), template, pattern, responses });
      }
    }
  }

  static fromFile(path = new URL('../../openapi.json', import.meta.url)): OpenApiResponseValidator {
    return new OpenApiResponseValidator(JSON.parse(readFileSync(path, 'utf8')) as OpenApiDocument);
  }

  /** Finds the documented operation of a request, or undefined for paths the API does not have. */
  operationOf(method: string, path: string): Operation | undefined {
    const candidates = this.operations.filter((op) => op.pattern.test(path));
    // A literal segment beats a parameter (`/api/conversations/` is not `{id}`).
    candidates.sort((a, b) => b.template.replace(/\{[^}]+\}/g, '').length - a.template.replace(/\{[^}]+\}/g, '').length);
    return candidates.find((op) => op.method === method);
  }

  /** Checks one answer; returns the problem, or null when the answer is what the document says. */
  check(method: string, url: string, status: number, contentType: string | undefined, body: Buffer): string | null {
    const path = url.split('?')[0];
    if (method === 'HEAD' || method === 'OPTIONS') return null;
    if (!/^\/(api|accounts|profiles|messenger|register|login|logout|health|media)(\/|$)/.test(path)) return null;
    const operation = this.operationOf(method, path);
    if (!operation) {
      // Unknown paths and methods (404, or a 4xx of the body parser, which runs before routing)
      // must still answer with the documented error shape.
      return status >= 400 && status < 500 ? this.checkErrorShape(body, contentType) : `no operation ${method} ${path} in openapi.json, answered ${status}`;
    }
    const documented = operation.responses[String(status)] ?? operation.responses[`${String(status)[0]}XX`] ?? operation.responses.default;
    if (!documented) {
      if (PLATFORM_STATUSES.has(status)) return this.checkErrorShape(body, contentType);
      return `${operation.method} ${operation.template}: status ${status} is not documented (documented: ${Object.keys(operation.responses).join(', ')})`;
    }
    const mediaTypes = Object.keys(documented);
    const actualType = (contentType ?? '').split(';')[0].trim().toLowerCase();
    if (mediaTypes.length === 0) {
      return body.length === 0 ? null : `${operation.method} ${operation.template} ${status}: documented without a body, answered ${body.length} bytes`;
    }
    if (!mediaTypes.includes(actualType)) {
      return `${operation.method} ${operation.template} ${status}: content type ${actualType || '(none)'} is not one of ${mediaTypes.join(', ')}`;
    }
    const validate = documented[actualType];
    if (!validate) return null;
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      return `${operation.method} ${operation.template} ${status}: body is not JSON`;
    }
    if (validate(parsed)) return null;
    const errors = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`);
    return `${operation.method} ${operation.template} ${status}: ${errors.slice(0, 5).join('; ')}`;
  }

  private checkErrorShape(body: Buffer, contentType: string | undefined): string | null {
    const error = this.errorShape;
    if (!(contentType ?? '').startsWith('application/json')) return `error answer is ${contentType ?? 'without a content type'}, not JSON`;
    try {
      return error(JSON.parse(body.toString('utf8'))) ? null : `error answer does not match ErrorResponseDto: ${JSON.stringify(error.errors?.slice(0, 3))}`;
    } catch {
      return 'error answer is not JSON';
    }
  }

  /** Express middleware: captures each answer's body and checks it when it is finished. */
  middleware() {
    return (req: IncomingMessage & { originalUrl?: string }, res: ServerResponse, next: () => void): void => {
      const chunks: Buffer[] = [];
      const write = res.write.bind(res) as (...args: unknown[]) => boolean;
      const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
      const keep = (chunk: unknown, encoding?: unknown) => {
        if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
        chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8'));
      };
      res.write = ((...args: unknown[]) => {
        keep(args[0], args[1]);
        return write(...args);
      }) as typeof res.write;
      res.end = ((...args: unknown[]) => {
        keep(args[0], args[1]);
        return end(...args);
      }) as typeof res.end;
      res.on('finish', () => {
        const url = req.originalUrl ?? req.url ?? '/';
        const header = res.getHeader('content-type');
        const problem = this.check(req.method ?? 'GET', url, res.statusCode, typeof header === 'string' ? header : undefined, Buffer.concat(chunks));
        if (problem) this.violations.push({ request: `${req.method} ${url}`, status: res.statusCode, problem });
      });
      next();
    };
  }
}
