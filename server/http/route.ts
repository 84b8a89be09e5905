import type { Context, Handler } from 'hono';
import type { z } from 'zod';
import type { Services } from '../main.ts';
import type { AppEnv } from './app.ts';
import { ApiError } from './errors.ts';

export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/**
 * One API route: where it lives, what it takes and answers (zod schemas, also used for the
 * OpenAPI document), and its handler. Each route file exports one of these.
 */
export type ApiRoute = {
  method: Method;
  /** hono path syntax: `/api/systems/:id`. */
  path: string;
  tag: string;
  summary: string;
  /** Success status and, for non-JSON answers, the content type. */
  status: number;
  contentType?: string;
  body?: z.ZodType;
  query?: z.ZodType;
  response?: z.ZodType;
  handler(services: Services): Handler<AppEnv>;
};

export function defineRoute(route: ApiRoute): ApiRoute {
  return route;
}

/** A path parameter the route's path declares. */
export function pathParam(c: Context<AppEnv>, name: string): string {
  const value = c.req.param(name);
  if (value === undefined) throw new ApiError('BAD_REQUEST', `missing path parameter "${name}"`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (value.length > 200 || /[\u0000-\u001f]/.test(value)) {
    throw new ApiError('VALIDATION_FAILED', `${name}: not a valid id`, [
      { path: name, message: 'not a valid id' },
    ]);
  }
  return value;
}

/**
 * The request body as JSON, validated by `schema` (a ZodError becomes VALIDATION_FAILED). With
 * `emptyIsObject`, an empty body stands for `{}` (all defaults).
 */
export async function jsonBody<S extends z.ZodType>(
  c: Context<AppEnv>,
  schema: S,
  options: { emptyIsObject?: boolean } = {},
): Promise<z.output<S>> {
  const text = await c.req.text();
  if (text.trim() === '') {
    if (options.emptyIsObject) return schema.parse({});
    throw new ApiError('VALIDATION_FAILED', 'the request body is empty; send a JSON object');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ApiError('BAD_REQUEST', `the request body is not valid JSON: ${(error as Error).message}`);
  }
  return schema.parse(value);
}

/** The query string, validated by `schema` (repeated keys keep their last value). */
export function queryOf<S extends z.ZodType>(c: Context<AppEnv>, schema: S): z.output<S> {
  return schema.parse(c.req.query());
}
