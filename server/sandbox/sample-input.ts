import { z } from 'zod';
import * as contract from '../core/policy-contract.ts';
import { PolicyError, type PolicyErrorInfo, type PolicyKind, type PolicyLog } from '../core/policy-port.ts';
import type { Executor, RunnableBuild } from './execute.ts';

/**
 * Sample inputs for `trueup policy run` and `POST /api/policies/test`: a policy's ctx as the
 * contract (core/policy-contract.ts) defines it, where the optional parts (system, vars,
 * idmObject, …) may be left out and get plain defaults. Only the defaults are written here.
 */
const attributes = contract.attributes.prefault({});
const account = contract.account.extend({ key: z.string().min(1), attributes });
const idmObject = contract.idmObject.extend({
  id: contract.idmObject.shape.id.default('sample-user'),
  type: contract.objectType.default('User'),
  status: contract.idmObject.shape.status.default('active'),
  attributes,
});
const { shape: systemShape } = contract.systemView;
const system = contract.systemView
  .extend({
    id: systemShape.id.default('sample-system'),
    name: systemShape.name.default('sample'),
    type: systemShape.type.default('csv'),
    trusted: systemShape.trusted.default(false),
    uniqueFieldKey: systemShape.uniqueFieldKey.default('key'),
  })
  .prefault({});
const vars = contract.vars.prefault({});
const nullableText = z.string().nullable().default(null);
const ctx = { system, vars };

const contexts = {
  targetQuery: contract.targetQueryContext.extend({
    searchFilter: nullableText,
    updatedSince: nullableText,
    watermark: nullableText,
    attributes: contract.targetQueryContext.shape.attributes.default([]),
    ...ctx,
  }),
  idmQuery: contract.idmQueryContext.extend({
    searchFilter: contract.idmQueryContext.shape.searchFilter.default(null),
    objectType: contract.objectType.default('User'),
    ...ctx,
  }),
  population: contract.populationContext.extend({
    situation: contract.situation.default('IDM_NOT_EXISTS__RESOURCE_EXISTS'),
    account,
    idmObject: idmObject.nullable().default(null),
    ...ctx,
  }),
  outboundMapping: contract.outboundMappingContext.extend({
    idmObject,
    account: account.nullable().default(null),
    ...ctx,
  }),
  preProcessor: contract.preProcessorContext.extend({
    configId: z.string().default('sample-config'),
    objectType: contract.objectType.default('User'),
    mode: contract.runMode.default('full'),
    dryRun: z.boolean().default(true),
    system,
  }),
  postProcessor: contract.postProcessorContext.extend({
    summary: contract.runSummaryView
      .extend({
        runId: z.string().default('sample-run'),
        status: z.string().default('succeeded'),
        dryRun: z.boolean().default(false),
        counts: contract.runSummaryView.shape.counts
          .extend({
            situations: z.record(z.string(), z.number()).prefault({}),
            responses: z.record(z.string(), z.number()).prefault({}),
            errors: z.number().default(0),
          })
          .prefault({}),
      })
      .prefault({}),
    ...ctx,
  }),
  situationCommand: contract.situationCommandContext.extend({
    response: contract.response.default('DO_NOTHING'),
    account: account.nullable().default(null),
    idmObject: idmObject.nullable().default(null),
    ...ctx,
  }),
  customProcessor: contract.customProcessorContext.extend({
    pairs: z.array(
      contract.correlatedPair.extend({
        account: account.nullable().default(null),
        idmObject: idmObject.nullable().default(null),
        candidates: z.array(idmObject).default([]),
      }),
    ),
    ...ctx,
  }),
  matchingRule: z
    .object({ account: account.optional(), idmObject: idmObject.optional() })
    .refine((input) => input.account || input.idmObject, 'give an "account", an "idmObject", or both'),
} satisfies Record<PolicyKind, z.ZodType>;

/** The sample input is not a valid ctx for the policy's kind; the message names the field. */
export class SampleInputError extends Error {
  override name = 'SampleInputError';
}

/** The output or the error, and the lines the policy logged on the way (with their lines). */
export type SampleOutcome = ({ ok: true; output: unknown } | { ok: false; error: PolicyErrorInfo }) & {
  logs: PolicyLog[];
};

function parseSample(kind: PolicyKind, input: unknown) {
  const parsed = contexts[kind].safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const where = issue.path.length ? `input.${issue.path.join('.')}` : 'input';
  throw new SampleInputError(`${where}: ${issue.message} (a ${kind} policy takes its ctx as input)`);
}

async function single(
  executor: Executor,
  build: RunnableBuild,
  fn: string,
  input: unknown,
  logs: PolicyLog[],
): Promise<SampleOutcome> {
  try {
    const [result] = await executor.execute(build, fn, [input], { onLog: (log) => logs.push(log) });
    return result!.ok ? { ok: true, output: result!.value, logs } : { ok: false, error: result!.error, logs };
  } catch (error) {
    if (error instanceof PolicyError) return { ok: false, error: error.info, logs };
    throw error;
  }
}

/**
 * Runs a policy on one sample ctx. A matching rule gives `{ accountKeys, idmKeys, score }` for
 * what the sample holds (the score needs both sides and a `score` function).
 */
export async function runSample(
  executor: Executor,
  build: RunnableBuild,
  input: unknown,
): Promise<SampleOutcome> {
  const ctx = parseSample(build.kind, input);
  const logs: PolicyLog[] = [];
  if (build.kind !== 'matchingRule') return single(executor, build, 'default', ctx, logs);
  const { account: acc, idmObject: idm } = ctx as { account?: unknown; idmObject?: unknown };
  const output: Record<string, unknown> = {};
  for (const [fn, arg] of [
    ['accountKeys', acc],
    ['idmKeys', idm],
    ['score', acc && idm ? { account: acc, candidate: idm } : undefined],
  ] as const) {
    if (arg === undefined) continue;
    const outcome = await single(executor, build, fn, arg, logs);
    if (!outcome.ok) {
      if (fn === 'score' && outcome.error.kind === 'not_found') continue;
      return outcome;
    }
    output[fn] = outcome.output;
  }
  return { ok: true, output, logs };
}
