/** PostgreSQL's error code, whether the driver error arrives bare or wrapped by drizzle. */
function pgCode(error: unknown): string | undefined {
  for (let e = error as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; depth++) {
    if (typeof e.code === 'string') return e.code;
    e = e.cause as typeof e;
  }
  return undefined;
}

export const isUniqueViolation = (error: unknown) => pgCode(error) === '23505';
export const isForeignKeyViolation = (error: unknown) => pgCode(error) === '23503';

/**
 * PostgreSQL rejecting a value the client sent (a NUL character, text where a number belongs)
 * is bad input, not a server fault.
 */
export const isBadValue = (error: unknown) => {
  const code = pgCode(error);
  return code === '22021' || code === '22P05' || code === '22P02' || code === '22007' || code === '22008';
};
