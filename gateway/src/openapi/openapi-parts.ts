// Building blocks of the OpenAPI document: zod -> JSON Schema (2020-12, what OpenAPI 3.1 uses), the error body,
// the standard responses and their headers. The schemas come from the routes; nothing here restates a field.
import { SAFE_TEXT_PATTERN } from '@saga/platform';
import { z } from 'zod';

export type Json = Record<string, unknown>;

/** A zod schema as OpenAPI 3.1 wants it: JSON Schema 2020-12, no $schema; the input side also says what the guard refuses. */
export function schemaOf(schema: z.ZodType, io: 'input' | 'output' = 'input'): Json {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' });
  return io === 'input' ? withSafeText(rest) : rest;
}

/**
 * Every service's edge guard (rejectUnsafeInput) answers 400 to a control character in any string or key a client
 * sends; the contract says so, on every free-form string and on the names of any extra properties, so that a client
 * (or a fuzzer) reading it knows which values are valid. Strings with a format, a pattern or fixed values are left as
 * they are: those are narrower already.
 */
function withSafeText(node: Json): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) {
    if (Array.isArray(value)) out[key] = value.map((item: unknown) => (isSchema(item) ? withSafeText(item) : item));
    else if (isSchema(value) && key !== 'default' && key !== 'const' && key !== 'examples') {
      out[key] = key === 'properties' ? Object.fromEntries(Object.entries(value).map(([name, property]) => [name, isSchema(property) ? withSafeText(property) : property])) : withSafeText(value);
    } else out[key] = value;
  }
  const types = Array.isArray(node.type) ? node.type : [node.type];
  if (types.includes('string') && !('pattern' in node) && !('format' in node) && !('enum' in node) && !('const' in node)) out.pattern = SAFE_TEXT_PATTERN;
  if (types.includes('object') && node.additionalProperties !== false && !('propertyNames' in node)) out.propertyNames = { pattern: SAFE_TEXT_PATTERN };
  return out;
}

const isSchema = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** An object schema's fields as query parameters (required when the schema requires them). */
export function queryParameters(schema: z.ZodObject): Json[] {
  const json = schemaOf(schema) as { properties?: Record<string, Json>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: 'query',
    required: json.required?.includes(name) ?? false,
    schema: property,
  }));
}

export const pathParameter = (name: string, schema: z.ZodType = z.string().min(1), description?: string): Json => ({
  name,
  in: 'path',
  required: true,
  schema: schemaOf(schema),
  ...(description && { description }),
});

export const jsonBody = (schema: z.ZodType, required = true): Json => ({ required, content: { 'application/json': { schema: schemaOf(schema) } } });

export const jsonResponse = (description: string, schema: Json | z.ZodType, headers?: Json): Json => ({
  description,
  ...(headers && { headers }),
  content: { 'application/json': { schema: schema instanceof z.ZodType ? schemaOf(schema, 'output') : schema } },
});

/** Responses without a zod schema on the service side yet: an object, described in words. */
export const describedObject = (description: string): Json => ({ type: 'object', description });

const errorBody = z.object({
  error: z.object({
    code: z.string().describe('A stable machine-readable code, e.g. VALIDATION_FAILED, RATE_LIMITED, UPSTREAM_UNAVAILABLE'),
    message: z.string(),
    details: z.unknown().optional(),
  }),
});

const header = (description: string, schema: Json = { type: 'string' }): Json => ({ description, schema });
const rateLimitHeaders = {
  RateLimit: { $ref: '#/components/headers/RateLimit' },
  'RateLimit-Policy': { $ref: '#/components/headers/RateLimit-Policy' },
};

/** The standard error responses, each with the headers the gateway sends with it. */
const errorResponses: Record<string, Json> = {
  BadRequest: {
    description: 'Invalid input (body, query, path or header; VALIDATION_FAILED, BAD_PATH, INVALID_CHARACTERS, ...); `details` names the fields',
  },
  Unauthorized: {
    description: 'Missing, invalid, expired or forged token',
    headers: { 'WWW-Authenticate': header('`Bearer` challenge with the error, RFC 6750') },
  },
  Forbidden: { description: 'The token lacks role admin' },
  NotFound: { description: 'No such resource (or not visible to the caller)' },
  Conflict: { description: 'The request conflicts with the current state (e.g. an Idempotency-Key reused with another body)' },
  PayloadTooLarge: { description: 'The body exceeds the gateway limit (BODY_LIMIT)' },
  UnsupportedMediaType: { description: 'Unsupported Content-Type, Content-Encoding or charset' },
  UnprocessableEntity: { description: 'Well-formed but not acceptable (e.g. UNKNOWN_SKU, STOCK_LIMIT_EXCEEDED)' },
  TooManyRequests: {
    description: 'Rate limit exceeded (RATE_LIMITED)',
    headers: { ...rateLimitHeaders, 'Retry-After': header('Seconds until the window resets', { type: 'integer' }) },
  },
  ServiceUnavailable: { description: 'An upstream is unavailable or its breaker is open (UPSTREAM_UNAVAILABLE)' },
  GatewayTimeout: { description: 'The upstream did not answer within UPSTREAM_TIMEOUT_MS' },
};

export const statusRef: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  413: 'PayloadTooLarge',
  415: 'UnsupportedMediaType',
  422: 'UnprocessableEntity',
  429: 'TooManyRequests',
  503: 'ServiceUnavailable',
  504: 'GatewayTimeout',
};

/** `errors(400, 404)`: references to the standard error responses. */
export const errors = (...statuses: number[]): Record<string, Json> =>
  Object.fromEntries(statuses.map((status) => [String(status), { $ref: `#/components/responses/${statusRef[status]}` }]));

export const rateLimited = rateLimitHeaders;

export const components: Json = {
  securitySchemes: {
    bearerAuth: {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description: 'An ES256 JWT from POST /auth/token (or the external issuer at JWT_JWKS_URL); public keys at /.well-known/jwks.json',
    },
  },
  schemas: { Error: schemaOf(errorBody, 'output') },
  headers: {
    RateLimit: header('Remaining quota in the current window (IETF draft-8), e.g. `"user";r=99;t=10`'),
    'RateLimit-Policy': header('The limit and window (IETF draft-8), e.g. `"user";q=100;w=10`'),
  },
  responses: Object.fromEntries(
    Object.entries(errorResponses).map(([name, response]) => [
      name,
      { ...response, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
    ]),
  ),
};
