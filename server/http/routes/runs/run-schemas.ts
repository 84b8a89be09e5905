import { z } from 'zod';
import { eventOutcomes } from '../../../db/schema/run-events.ts';
import { runModes, runStatuses, runTriggers } from '../../../db/schema/runs.ts';

export const runSummarySchema = z.object({
  id: z.string(),
  configId: z.string().nullable(),
  status: z.enum(runStatuses),
  dryRun: z.boolean(),
  mode: z.enum(runModes),
  trigger: z.enum(runTriggers),
  planHash: z.string().nullable(),
  appliedFrom: z.string().nullable(),
  approvedBy: z.string().nullable(),
  startedBy: z.string().nullable(),
  keys: z.array(z.string()).nullable(),
  phase: z.string().nullable(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  durationMs: z.number().nullable(),
  counts: z.object({
    situations: z.record(z.string(), z.number()),
    responses: z.record(z.string(), z.number()),
    errors: z.number(),
  }),
  throughput: z.number().nullable(),
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }).optional(),
  policies: z
    .array(z.object({ path: z.string(), hash: z.string() }))
    .describe('the policy versions the run uses, fixed when it started'),
  createdAt: z.string(),
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
