import { z } from '@hono/zod-openapi';
import { outcomeChanges } from '../../../core/outcome-diff.ts';

/** The outcome diff of a replay or of two runs (core/outcome-diff.ts), as the API answers it. */
const outcomeSide = z.object({
  situation: z.string().nullable(),
  response: z.string().nullable(),
  diff: z.record(z.string(), z.object({ before: z.unknown(), after: z.unknown() })).nullable(),
  error: z.string().nullable().describe('the error code of a failed decision'),
});

export const outcomeDiffSchema = z
  .object({
    counts: z.object({
      before: z.number().describe('objects decided before (the recorded run, or `against`)'),
      after: z.number().describe('objects decided after (the replay, or the run)'),
      changed: z.number(),
      situation: z.number(),
      response: z.number(),
      attributes: z.number(),
      errors: z.number(),
      new: z.number(),
      gone: z.number(),
      idmChangedSince: z
        .number()
        .describe('changed objects whose IDM object was written between the two decisions'),
    }),
    changed: z.array(
      z.object({
        objectKey: z.string().describe('the account key, or `idm:<id>` for an IDM object without one'),
        idmObjectId: z.string().nullable(),
        changes: z.array(z.enum(outcomeChanges)),
        before: outcomeSide.nullable(),
        after: outcomeSide.nullable(),
        idmChangedSince: z.boolean(),
      }),
    ),
    truncated: z.boolean().describe('more objects changed than are listed (see `limit`)'),
  })
  .openapi('OutcomeDiff');

/** `?limit=`: how many changed objects to list (the counts cover all). */
export const diffLimit = z.coerce.number().int().min(1).max(5000).default(500);
