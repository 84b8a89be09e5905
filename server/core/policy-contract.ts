import { z } from 'zod';
import type * as model from './model.ts';
import { objectTypes, responses, runModes, situations } from './model.ts';

/**
 * The policy contract, written once: what each function of each policy kind receives and must
 * return. The port's types (policy-port.ts) are inferred from these schemas; the sandbox checks
 * every output against them (sandbox/shapes.ts) and builds sample inputs from them
 * (sandbox/sample-input.ts); the shipped SDK declaration (policies/trueup-policy.d.ts) is held to
 * them by test/sandbox/sdk-contract.test.ts. Inputs come from the engine, so their schemas only
 * describe; outputs come from integrators' code, so theirs also refuse what the engine must not
 * get (`__proto__` keys, out-of-range scores).
 */

export const attributeName = z
  .string()
  .min(1, 'an attribute name is empty')
  .max(200, 'an attribute name is longer than 200 characters')
  .refine((name) => name !== '__proto__', 'an attribute may not be named __proto__');
export const attributeValue = z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.string())], {
  error: 'an attribute value must be a string, number, boolean, null or an array of strings',
});
export const attributes = z.record(z.string(), attributeValue);
// zod's record skips a `__proto__` key silently; refuse it out loud instead.
export const attributePatch = z
  .custom<unknown>(
    (value) => !(typeof value === 'object' && value !== null && Object.hasOwn(value, '__proto__')),
    'an attribute may not be named __proto__',
  )
  .pipe(z.record(attributeName, attributeValue));

/** Run variables a pre-processor sets: JSON data, which every later policy of the run receives. */
export const vars = z.record(z.string(), z.json());

export const objectType = z.enum(objectTypes);
export const situation = z.enum(situations);
export const response = z.enum(responses);
export const runMode = z.enum(runModes);

export const account = z.object({ key: z.string(), attributes });
export const idmObject = z.object({
  id: z.string(),
  type: objectType,
  status: z.enum(['active', 'disabled', 'deleted']),
  attributes,
});
export const systemView = z.object({
  id: z.string(),
  name: z.string(),
  /** The connector type: csv, sql, ldap, scim, or a connector plugin's. */
  type: z.string(),
  trusted: z.boolean(),
  uniqueFieldKey: z.string(),
});

const filterValue = z.union([
  attributeValue,
  z.strictObject({ $in: z.array(attributeValue) }),
  z.strictObject({ $exists: z.boolean() }),
]);
// Recursive, so its type is written (model.ts) and the schema is held to it.
export const idmFilter: z.ZodType<model.IdmFilter> = z.lazy(() =>
  z.union([
    z.strictObject({ $and: z.array(idmFilter) }),
    z.strictObject({ $or: z.array(idmFilter) }),
    z.record(
      attributeName.refine(
        (name) => !name.startsWith('$'),
        'unknown operator: use $and, $or, $in or $exists',
      ),
      filterValue,
    ),
  ]),
);

export const connectorQuery = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('ldap'),
    filter: z.string().min(1, 'the LDAP filter is empty'),
    baseDn: z.string().optional(),
    scope: z.enum(['base', 'one', 'sub']).optional(),
  }),
  z.strictObject({
    type: z.literal('sql'),
    text: z.string().min(1, 'the SQL text is empty'),
    params: z.array(z.union([z.string(), z.number(), z.boolean(), z.null()])),
  }),
  z.strictObject({
    type: z.literal('csv'),
    where: z.record(z.string(), z.union([z.string(), z.array(z.string())])).optional(),
  }),
]);

export const targetQueryContext = z.object({
  searchFilter: z.string().nullable(),
  updatedSince: z.string().nullable(),
  watermark: z.string().nullable(),
  attributes: z.array(z.string()),
  system: systemView,
  vars,
});
export const idmQueryContext = z.object({
  searchFilter: idmFilter.nullable(),
  objectType,
  system: systemView,
  vars,
});
export const populationContext = z.object({
  situation,
  account,
  idmObject: idmObject.nullable(),
  system: systemView,
  vars,
});
export const outboundMappingContext = z.object({
  idmObject,
  account: account.nullable(),
  system: systemView,
  vars,
});
export const preProcessorContext = z.object({
  configId: z.string(),
  objectType,
  mode: runMode,
  dryRun: z.boolean(),
  system: systemView,
});
export const runSummaryView = z.object({
  runId: z.string(),
  status: z.string(),
  dryRun: z.boolean(),
  counts: z.object({
    situations: z.record(z.string(), z.number()),
    responses: z.record(z.string(), z.number()),
    errors: z.number(),
  }),
});
export const postProcessorContext = z.object({ summary: runSummaryView, system: systemView, vars });
export const situationCommandContext = z.object({
  situation,
  response,
  account: account.nullable(),
  idmObject: idmObject.nullable(),
  system: systemView,
  vars,
});
export const correlatedPair = z.object({
  account: account.nullable(),
  idmObject: idmObject.nullable(),
  candidates: z.array(idmObject),
});
export const customProcessorContext = z.object({
  pairs: z.array(correlatedPair),
  system: systemView,
  vars,
});
export const scoreInput = z.object({ account, candidate: idmObject });

const keys = z.array(z.string().max(1000)).max(100, 'at most 100 correlation keys');
/** `patch` is the IDM patch (…_IDM responses) or the account patch (…_RESOURCE responses). */
export const commandAction = z.strictObject({ response, patch: attributePatch.optional() });
export const customDecision = z.strictObject({ situation, response, patch: attributePatch.optional() });
export const preProcessorResult = z.strictObject({
  abort: z.string().min(1).optional(),
  vars: z.record(attributeName, z.json()).optional(),
});
export const postProcessorResult = z.strictObject({
  notify: z.strictObject({ to: z.array(z.email()).optional(), message: z.string().optional() }).optional(),
});

export const policyKinds = [
  'targetQuery',
  'idmQuery',
  'matchingRule',
  'population',
  'outboundMapping',
  'preProcessor',
  'postProcessor',
  'situationCommand',
  'customProcessor',
] as const;

/** Each callable function of each kind: its input and its output. */
export const policyContract = {
  targetQuery: { default: { input: targetQueryContext, output: connectorQuery } },
  idmQuery: { default: { input: idmQueryContext, output: idmFilter.nullable() } },
  matchingRule: {
    accountKeys: { input: account, output: keys },
    idmKeys: { input: idmObject, output: keys },
    score: {
      input: scoreInput,
      output: z.number().min(0, 'a score is 0 to 100').max(100, 'a score is 0 to 100'),
    },
  },
  population: { default: { input: populationContext, output: attributePatch } },
  outboundMapping: { default: { input: outboundMappingContext, output: attributePatch } },
  preProcessor: { default: { input: preProcessorContext, output: preProcessorResult } },
  postProcessor: { default: { input: postProcessorContext, output: postProcessorResult } },
  situationCommand: { default: { input: situationCommandContext, output: z.array(commandAction).max(20) } },
  customProcessor: { default: { input: customProcessorContext, output: z.array(customDecision) } },
} satisfies Record<(typeof policyKinds)[number], Record<string, { input: z.ZodType; output: z.ZodType }>>;

// The engine's own vocabulary (model.ts) and these schemas describe the same data.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Agrees<T extends true> = T;
export type ModelAgreesWithContract = Agrees<
  Same<z.output<typeof account>, model.Account> &
    Same<z.output<typeof idmObject>, model.IdmObject> &
    Same<z.output<typeof systemView>, model.RunSystem> &
    Same<z.output<typeof attributePatch>, model.AttributePatch> &
    Same<z.output<typeof connectorQuery>, model.ConnectorQuery> &
    Same<z.output<typeof runMode>, model.RunMode>
>;
