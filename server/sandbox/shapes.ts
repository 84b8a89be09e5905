import type { z } from 'zod';
import { policyContract } from '../core/policy-contract.ts';
import type { PolicyKind } from '../core/policy-port.ts';

/**
 * What a policy function must return (the contract's output schema), checked on the host for
 * every record: the sandbox's word is never taken for it.
 */
export function outputShape(kind: PolicyKind, fn: string): z.ZodType | undefined {
  const calls = policyContract[kind] as Record<string, { output: z.ZodType }>;
  return Object.hasOwn(calls, fn) ? calls[fn]!.output : undefined;
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
