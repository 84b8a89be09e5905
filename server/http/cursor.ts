import { z } from 'zod';

/** Cursors are opaque to clients: base64url JSON, checked by `shape` when they come back. */
export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

export function cursorParam<S extends z.ZodType>(shape: S) {
  return z
    .string()
    .max(500)
    .transform((text, ctx) => {
      try {
        const parsed = shape.safeParse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
        if (parsed.success) return parsed.data as z.output<S>;
      } catch {
        // fall through to the issue below
      }
      ctx.addIssue({ code: 'custom', message: 'is not a cursor this API returned' });
      return z.NEVER;
    });
}

export const limitParam = (max: number, fallback: number) =>
  z.coerce.number().int('must be a whole number').min(1).max(max).default(fallback);
