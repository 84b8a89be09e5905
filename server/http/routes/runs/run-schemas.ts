import { z } from '@hono/zod-openapi';
import { eventOutcomes, runModes, runStatuses, runTriggers } from '../../../core/model.ts';
import type { RunCounts } from '../../../core/store-port.ts';

/** The counts of a run: core's RunCounts, checked by the compiler against the one definition. */
const runCountsSchema = z
  .object({
    situations: z.record(z.string(), z.number()),
    responses: z.record(z.string(), z.number()).describe("each event's response, as decided"),
    applied: z
      .record(z.string(), z.number())
      .optional()
      .describe('per response, the actions written (absent on a dry run and on older runs)'),
    linked: z.number().optional().describe('events whose only write was their link'),
    unchanged: z.number().optional().describe('responses that would have changed nothing, so wrote nothing'),
    skipped: z
      .number()
      .optional()
      .describe('actions not carried out: refused, not applicable, or changed since an approved plan'),
    errors: z.number(),
  })
  .describe(
    'what the run decided (situations, responses) and what came of it',
  ) satisfies z.ZodType<RunCounts>;

export const runSummarySchema = z
  .object({
    id: z.string(),
    configId: z.string().nullable(),
    status: z.enum(runStatuses),
    dryRun: z.boolean(),
    mode: z.enum(runModes),
    trigger: z.enum(runTriggers),
    startedBy: z.string().nullable().describe('the API token name, `cli` or `schedule` that started the run'),
    planHash: z.string().nullable().describe('SHA-256 over the planned actions of a dry run or a held plan'),
    appliedFrom: z.string().nullable().describe('the run whose plan this apply run carried out'),
    approvedBy: z.string().nullable().describe('who approved the plan an apply run carried out'),
    undoOf: z
      .string()
      .nullable()
      .describe('an undo plan (trigger `undo`): the run whose applied actions it inverts'),
    keys: z.array(z.string()).nullable().describe('the objects a keys run was for'),
    phase: z.string().nullable(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    durationMs: z.number().nullable(),
    counts: runCountsSchema,
    throughput: z.number().nullable(),
    error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }).optional(),
    policies: z
      .array(z.object({ path: z.string(), hash: z.string() }))
      .describe('the policy versions the run uses, fixed when it started'),
    cancelRequestedAt: z
      .string()
      .nullable()
      .describe('when someone asked to cancel the run (it stops at its next batch boundary)'),
    cancelledBy: z.string().nullable().describe('the token name that asked to cancel the run'),
    createdAt: z.string(),
  })
  .openapi('RunSummary');

/** A run's mail and how its delivery stands (docs/api.md "Mail and reports"). */
export const notificationSchema = z.object({
  kind: z.enum(['completion', 'do_nothing']),
  to: z.array(z.string()),
  status: z.enum(['sent', 'queued', 'failed']),
  attempts: z.number(),
  error: z.string().optional(),
  nextAttemptAt: z.string().optional(),
  sentAt: z.string().optional(),
});

export type RunSummaryResponse = z.infer<typeof runSummarySchema>;

export const eventSummarySchema = z.object({
  id: z.string(),
  seq: z.number(),
  objectKey: z.string().nullable(),
  idmObjectId: z.string().nullable(),
  situation: z.string().nullable(),
  response: z.string().nullable(),
  outcome: z.enum(eventOutcomes),
  diff: z.record(z.string(), z.object({ before: z.unknown(), after: z.unknown() })).nullable(),
  error: z.object({ code: z.string(), message: z.string(), policy: z.unknown().optional() }).nullable(),
});

export const eventDetailSchema = eventSummarySchema.extend({
  runId: z.string(),
  before: z.record(z.string(), z.unknown()),
  after: z.record(z.string(), z.unknown()),
  action: z.unknown(),
  policyOutput: z.unknown(),
  logs: z
    .array(
      z.object({
        policy: z.string(),
        file: z.string().nullable(),
        line: z.number().nullable(),
        column: z.number().nullable(),
        level: z.string(),
        message: z.string(),
      }),
    )
    .describe("the policies' log lines for this object (the run-level event: for the run)"),
  createdAt: z.string(),
});
export type EventDetailResponse = z.infer<typeof eventDetailSchema>;
