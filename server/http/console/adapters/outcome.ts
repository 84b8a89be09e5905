import { ApiError } from '../../errors.ts';

/**
 * Outcomes the console's adapters share, in the shape of the services layer
 * (`server/services/outcomes.ts`): a rule broken by the input names the field at fault.
 */
export type Invalid = { outcome: 'invalid'; path: string; message: string };
export type NotFound = { outcome: 'not_found' };

/** Today's helpers report bad input by throwing ApiError; the console wants it as a value. */
export async function asInvalid<T>(work: () => Promise<T>): Promise<T | Invalid> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ApiError && (error.code === 'VALIDATION_FAILED' || error.code === 'BAD_REQUEST')) {
      const first = Array.isArray(error.details)
        ? (error.details[0] as { path?: string } | undefined)
        : undefined;
      return { outcome: 'invalid', path: first?.path ?? '', message: error.message };
    }
    throw error;
  }
}

export function unhandled(value: never): never {
  throw new Error(`unhandled outcome ${JSON.stringify(value)}`);
}
