import { z } from '@hono/zod-openapi';
import type { TokenRole } from '../core/model.ts';
import { allow } from './auth-middleware.ts';
import { errorStatus } from './errors.ts';

/**
 * The pieces every route file's `createRoute` is made of. A route file holds one `createRoute`
 * (method, path, `...access(role)`, request schemas, responses), the response type inferred from
 * its 200 schema, and a `register…(app, services)` that attaches the handler.
 */

/** Who may call a route: a token of this role or a stronger one (docs/api.md "Signing in, roles, errors"), or anyone. */
export type Access = TokenRole | 'public';

/** The `x-trueup-role` extension carries each operation's role into the OpenAPI document. */
export const roleExtension = 'x-trueup-role';

/**
 * Spread into a `createRoute`: the role check (run before any validation, so a caller without
 * the role learns nothing about the input), the security requirement and the documented role.
 */
export function access<const A extends Access>(role: A) {
  return {
    middleware: role === 'public' ? [] : [allow(role)],
    security: role === 'public' ? [] : [{ bearer: [] }],
    [roleExtension]: role,
  } as const;
}

export const errorSchema = z
  .object({
    error: z.object({
      code: z.enum(Object.keys(errorStatus) as [keyof typeof errorStatus, ...(keyof typeof errorStatus)[]]),
      message: z.string(),
      requestId: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .openapi('Error');

/** Every route may answer an error, always in the one shape. */
export const errorResponses = {
  default: {
    description: 'an error: `{ error: { code, message, requestId, details? } }`',
    content: { 'application/json': { schema: errorSchema } },
  },
} as const;

/** A JSON answer described by `schema`. */
export function json<S extends z.ZodType>(schema: S, description: string) {
  return { description, content: { 'application/json': { schema } } } as const;
}

/** A JSON request body checked by `schema` (`required: false` lets an empty body stand for `{}`). */
export function jsonBody<S extends z.ZodType>(schema: S, options: { required?: boolean } = {}) {
  return { required: options.required ?? true, content: { 'application/json': { schema } } } as const;
}

/** An id in the path: no control characters, at most 200 characters. */
export const idParam = z
  .string()
  .min(1)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  .regex(/^[^\u0000-\u001f]*$/, 'not a valid id')
  .max(200, 'not a valid id');

/** `{id}` in the path. */
export const idParams = z.object({ id: idParam.openapi({ param: { name: 'id', in: 'path' } }) });
