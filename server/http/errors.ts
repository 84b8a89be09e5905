import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ZodError } from 'zod';
import { isBadValue } from '../db/pg-errors.ts';
import type { Logger } from '../log.ts';
import type { Invalid } from '../services/outcomes.ts';

/** Every error code the API returns, and its HTTP status. */
export const errorStatus = {
  BAD_REQUEST: 400,
  VALIDATION_FAILED: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNPROCESSABLE: 422,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof errorStatus;

export type ErrorBody = {
  error: { code: ErrorCode; message: string; requestId: string; details?: unknown };
};

/** An expected failure a route reports to its caller. */
export class ApiError extends Error {
  override name = 'ApiError';
  readonly code: ErrorCode;
  readonly details: unknown;
  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.code = code;
    this.details = details;
  }
}

/** A service's `invalid` outcome as the API reports it: 400 naming the field. */
export function invalidInput({ path, message }: Invalid): ApiError {
  return new ApiError('VALIDATION_FAILED', `${path}: ${message}`, [{ path, message }]);
}

export function zodDetails(error: ZodError) {
  return error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
}

/** Where a failed check looked: `json` is the body, `query` the query string, `param` the path. */
const targetNames: Record<string, string> = { json: 'body', query: 'query', param: 'path', form: 'form' };

/** A zod failure of a route's request schema: 400 naming the first problem, every issue in details. */
export function validationError(error: ZodError, target?: string): ApiError {
  const first = error.issues[0];
  const where = first?.path.length
    ? `${first.path.join('.')}: `
    : target && target !== 'json'
      ? `${targetNames[target] ?? target}: `
      : '';
  return new ApiError('VALIDATION_FAILED', `${where}${first?.message ?? 'invalid input'}`, zodDetails(error));
}

/** hono's own refusals (malformed JSON, a body of the wrong media type) in the one error shape. */
function fromHttpException(error: HTTPException): ApiError {
  switch (error.status) {
    case 400:
      return /JSON/i.test(error.message)
        ? new ApiError('BAD_REQUEST', 'the request body is not valid JSON; send a JSON object')
        : new ApiError('BAD_REQUEST', error.message || 'bad request');
    case 413:
      return new ApiError('PAYLOAD_TOO_LARGE', 'the request body is too large');
    case 415:
      return new ApiError(
        'UNSUPPORTED_MEDIA_TYPE',
        `send the body with the Content-Type this route takes (application/json)`,
      );
    default:
      return new ApiError(
        error.status >= 500 ? 'INTERNAL' : 'BAD_REQUEST',
        error.message || 'request refused',
      );
  }
}

function toApiError(error: unknown): ApiError | undefined {
  if (error instanceof ApiError) return error;
  if (error instanceof ZodError) return validationError(error);
  if (error instanceof HTTPException) return fromHttpException(error);
  if (error instanceof SyntaxError && /JSON/.test(error.message)) {
    return new ApiError('BAD_REQUEST', `the request body is not valid JSON: ${error.message}`);
  }
  if (isBadValue(error)) {
    return new ApiError(
      'BAD_REQUEST',
      'a value in the request cannot be stored (for example a NUL character)',
    );
  }
  return undefined;
}

export function errorResponse(c: Context, error: ApiError) {
  const body: ErrorBody = {
    error: {
      code: error.code,
      message: error.message,
      requestId: c.get('requestId') ?? 'unknown',
      ...(error.details === undefined ? {} : { details: error.details }),
    },
  };
  return c.json(body, errorStatus[error.code]);
}

export function handleError(log: Logger) {
  return (error: unknown, c: Context) => {
    const known = toApiError(error);
    if (known) return errorResponse(c, known);
    const status = (error as { status?: number }).status;
    if (status === 413)
      return errorResponse(c, new ApiError('PAYLOAD_TOO_LARGE', 'the request body is too large'));
    log.error({ err: error, requestId: c.get('requestId') }, 'unhandled error');
    return errorResponse(c, new ApiError('INTERNAL', 'internal error; the server log has the details'));
  };
}
