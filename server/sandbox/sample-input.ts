import { z } from 'zod';
import { objectTypes, responses, situations } from '../core/model.ts';
import { PolicyError, type PolicyErrorInfo, type PolicyKind } from '../core/policy-port.ts';
import type { Executor, RunnableBuild } from './execute.ts';

/**
 * Sample inputs for `trueup policy run` and `POST /api/policies/test`: a policy's ctx where the
 * optional parts (system, vars, idmObject, …) may be left out and get plain defaults.
 */
const attributeValue = z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.string())]);
const attributes = z.record(z.string(), attributeValue).prefault({});
const account = z.object({ key: z.string().min(1), attributes });
const idmObject = z.object({
  id: z.string().default('sample-user'),
  type: z.enum(objectTypes).default('User'),
  status: z.enum(['active', 'disabled', 'deleted']).default('active'),
  attributes,
});
const system = z
  .object({
    id: z.string().default('sample-system'),
    name: z.string().default('sample'),
    type: z.string().min(1).default('csv'),
    trusted: z.boolean().default(false),
    uniqueFieldKey: z.string().default('key'),
  })
  .prefault({});
const vars = z.record(z.string(), z.unknown()).prefault({});
const nullableText = z.string().nullable().default(null);

const contexts = {
  targetQuery: z.object({
    searchFilter: nullableText,
    updatedSince: nullableText,
    watermark: nullableText,
    attributes: z.array(z.string()).default([]),
    system,
    vars,
  }),
  idmQuery: z.object({
    searchFilter: z.record(z.string(), z.unknown()).nullable().default(null),
    objectType: z.enum(objectTypes).default('User'),
    system,
    vars,
  }),
  population: z.object({
    situation: z.enum(situations).default('IDM_NOT_EXISTS__RESOURCE_EXISTS'),
    account,
    idmObject: idmObject.nullable().default(null),
    system,
    vars,
  }),
  outboundMapping: z.object({ idmObject, account: account.nullable().default(null), system, vars }),
  preProcessor: z.object({
    configId: z.string().default('sample-config'),
    objectType: z.enum(objectTypes).default('User'),
    mode: z.enum(['full', 'incremental']).default('full'),
    dryRun: z.boolean().default(true),
    system,
  }),
  postProcessor: z.object({
    summary: z
      .object({
        runId: z.string().default('sample-run'),
        status: z.string().default('succeeded'),
        dryRun: z.boolean().default(false),
        counts: z
          .object({
            situations: z.record(z.string(), z.number()).prefault({}),
            responses: z.record(z.string(), z.number()).prefault({}),
            errors: z.number().default(0),
          })
          .prefault({}),
      })
      .prefault({}),
    system,
    vars,
  }),
  situationCommand: z.object({
    situation: z.enum(situations),
    response: z.enum(responses).default('DO_NOTHING'),
    account: account.nullable().default(null),
    idmObject: idmObject.nullable().default(null),
    system,
    vars,
  }),
  customProcessor: z.object({
    pairs: z.array(
      z.object({
        account: account.nullable().default(null),
        idmObject: idmObject.nullable().default(null),
        candidates: z.array(idmObject).default([]),
      }),
    ),
    system,
    vars,
  }),
  matchingRule: z
    .object({ account: account.optional(), idmObject: idmObject.optional() })
    .refine((input) => input.account || input.idmObject, 'give an "account", an "idmObject", or both'),
} satisfies Record<PolicyKind, z.ZodType>;

/** The sample input is not a valid ctx for the policy's kind; the message names the field. */
export class SampleInputError extends Error {
  override name = 'SampleInputError';
}

export type SampleOutcome = { ok: true; output: unknown } | { ok: false; error: PolicyErrorInfo };

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
): Promise<SampleOutcome> {
  try {
    const [result] = await executor.execute(build, fn, [input]);
    return result!.ok ? { ok: true, output: result!.value } : { ok: false, error: result!.error };
  } catch (error) {
    if (error instanceof PolicyError) return { ok: false, error: error.info };
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
  if (build.kind !== 'matchingRule') return single(executor, build, 'default', ctx);
  const { account: acc, idmObject: idm } = ctx as { account?: unknown; idmObject?: unknown };
  const output: Record<string, unknown> = {};
  for (const [fn, arg] of [
    ['accountKeys', acc],
    ['idmKeys', idm],
    ['score', acc && idm ? { account: acc, candidate: idm } : undefined],
  ] as const) {
    if (arg === undefined) continue;
    const outcome = await single(executor, build, fn, arg);
    if (!outcome.ok) {
      if (fn === 'score' && outcome.error.kind === 'not_found') continue;
      return outcome;
    }
    output[fn] = outcome.output;
  }
  return { ok: true, output };
}
