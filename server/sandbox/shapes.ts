import { z } from 'zod';
import { responses, situations } from '../core/model.ts';
import type { PolicyFunction, PolicyKind } from '../core/policy-port.ts';

/**
 * What each policy function must return (server/core/policy-port.ts PolicyCalls), checked on the
 * host for every record: the sandbox's word is never taken for it.
 */
const attributeName = z
  .string()
  .min(1, 'an attribute name is empty')
  .max(200, 'an attribute name is longer than 200 characters')
  .refine((name) => name !== '__proto__', 'an attribute may not be named __proto__');
const attributeValue = z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.string())], {
  error: 'an attribute value must be a string, number, boolean, null or an array of strings',
});
// zod's record skips a `__proto__` key silently; refuse it out loud instead.
const attributePatch = z
  .custom<unknown>(
    (value) => !(typeof value === 'object' && value !== null && Object.hasOwn(value, '__proto__')),
    'an attribute may not be named __proto__',
  )
  .pipe(z.record(attributeName, attributeValue));
const keys = z.array(z.string().max(1000)).max(100, 'at most 100 correlation keys');

const filterValue = z.union([
  attributeValue,
  z.strictObject({ $in: z.array(attributeValue) }),
  z.strictObject({ $exists: z.boolean() }),
]);
const idmFilter: z.ZodType = z.lazy(() =>
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

const connectorQuery = z.discriminatedUnion('type', [
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

const response = z.enum(responses);
const situation = z.enum(situations);

export const outputShapes = {
  targetQuery: { default: connectorQuery },
  idmQuery: { default: idmFilter.nullable() },
  matchingRule: {
    accountKeys: keys,
    idmKeys: keys,
    score: z.number().min(0, 'a score is 0 to 100').max(100, 'a score is 0 to 100'),
  },
  population: { default: attributePatch },
  outboundMapping: { default: attributePatch },
  preProcessor: {
    default: z.strictObject({
      abort: z.string().min(1).optional(),
      vars: z.record(attributeName, z.unknown()).optional(),
    }),
  },
  postProcessor: {
    default: z.strictObject({
      notify: z
        .strictObject({ to: z.array(z.email()).optional(), message: z.string().optional() })
        .optional(),
    }),
  },
  situationCommand: {
    default: z.array(z.strictObject({ response, patch: attributePatch.optional() })).max(20),
  },
  customProcessor: {
    default: z.array(z.strictObject({ situation, response, patch: attributePatch.optional() })),
  },
} satisfies { [K in PolicyKind]: Record<PolicyFunction<K>, z.ZodType> };

export function outputShape(kind: PolicyKind, fn: string): z.ZodType | undefined {
  return (outputShapes[kind] as Record<string, z.ZodType>)[fn];
}

/*
 * The hot path: a population or matching rule returns one small object per record, and zod's
 * record parsing costs 1.5–7 µs each, more than the sandbox itself. These predicates accept exactly
 * what the zod schemas above accept (test/sandbox/shapes.test.ts holds them to it) on plain JSON
 * data; anything they refuse goes through zod, which gives the verdict and its message.
 */
function isAttributeValue(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object':
      if (value === null) return true;
      if (!Array.isArray(value)) return false;
      for (const item of value) if (typeof item !== 'string') return false;
      return true;
    default:
      return false;
  }
}

export function isAttributePatch(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  for (const key in value) {
    if (key.length === 0 || key.length > 200 || key === '__proto__') return false;
    if (!isAttributeValue((value as Record<string, unknown>)[key])) return false;
  }
  return true;
}

export function isKeyList(value: unknown): boolean {
  if (!Array.isArray(value) || value.length > 100) return false;
  for (const item of value) if (typeof item !== 'string' || item.length > 1000) return false;
  return true;
}

const fastChecks: Partial<Record<PolicyKind, Record<string, (value: unknown) => boolean>>> = {
  population: { default: isAttributePatch },
  outboundMapping: { default: isAttributePatch },
  matchingRule: { accountKeys: isKeyList, idmKeys: isKeyList },
};

/** A predicate that accepts exactly what `outputShape(kind, fn)` accepts, where one exists. */
export function fastCheck(kind: PolicyKind, fn: string): ((value: unknown) => boolean) | undefined {
  return fastChecks[kind]?.[fn];
}

/** "at result.email: expected string" — the first three problems, where they are. */
export function describeShapeIssues(error: z.ZodError): string {
  const shown = error.issues.slice(0, 3).map((issue) => {
    const where = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
    return `at result${where}: ${issue.message}`;
  });
  const more = error.issues.length > 3 ? ` (and ${error.issues.length - 3} more)` : '';
  return `${shown.join('; ')}${more}`;
}
