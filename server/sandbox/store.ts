import { asc, eq } from 'drizzle-orm';
import type { PolicyKind } from '../core/policy-port.ts';
import type { Database } from '../db/client.ts';
import { type Diagnostic, policies, policyBuilds } from '../db/schema/policies.ts';
import { compilePolicy, hasErrors, type PolicyBuild } from './compile/compile.ts';
import { checkPolicyPath, storedKey, storedSources } from './compile/sources.ts';

export type SavedPolicy = {
  path: string;
  hash: string;
  kind: PolicyKind | null;
  diagnostics: Diagnostic[];
  /** False when the source had errors: the previously saved version (if any) stays in force. */
  saved: boolean;
};

/** A policy path that is not a plain relative `.ts` path. */
export class PolicyPathError extends Error {
  override name = 'PolicyPathError';
}

export function assertPolicyPath(path: string) {
  const problem = checkPolicyPath(path);
  if (problem) throw new PolicyPathError(`policy path "${path}" ${problem}`);
}

async function storedSource(db: Database, path: string): Promise<string | undefined> {
  const [row] = await db.orm
    .select({ source: policies.source })
    .from(policies)
    .where(eq(policies.path, path));
  return row?.source;
}

/**
 * Compiles and saves a policy. An unchanged source costs one look-up; a build is stored by content
 * hash whether or not it has errors, but only an error-free build replaces the policy's source.
 */
export async function savePolicy(db: Database, path: string, source: string): Promise<SavedPolicy> {
  assertPolicyPath(path);
  const [current] = await db.orm
    .select({
      source: policies.source,
      hash: policies.hash,
      kind: policyBuilds.kind,
      diagnostics: policyBuilds.diagnostics,
    })
    .from(policies)
    .innerJoin(policyBuilds, eq(policyBuilds.hash, policies.hash))
    .where(eq(policies.path, path));
  if (current && current.source === source) {
    return {
      path,
      hash: current.hash,
      kind: current.kind as PolicyKind | null,
      diagnostics: current.diagnostics,
      saved: true,
    };
  }
  const build = await compilePolicy(
    storedKey(path),
    storedSources(path, source, (other) => storedSource(db, other)),
  );
  await db.orm
    .insert(policyBuilds)
    .values({
      hash: build.hash,
      kind: build.kind,
      code: build.code,
      sourceMap: build.sourceMap,
      diagnostics: build.diagnostics,
    })
    .onConflictDoNothing();
  const saved = !hasErrors(build.diagnostics);
  if (saved) {
    await db.orm
      .insert(policies)
      .values({ path, source, hash: build.hash, kind: build.kind })
      .onConflictDoUpdate({
        target: policies.path,
        set: { source, hash: build.hash, kind: build.kind, updatedAt: new Date() },
      });
  }
  return { path, hash: build.hash, kind: build.kind, diagnostics: build.diagnostics, saved };
}

/**
 * Compiles a source as if it were saved at `path` (its imports resolve to the saved policies)
 * and stores nothing: the policy editor's "Run on a sample" runs the text being edited.
 */
export async function compileUnsaved(db: Database, path: string, source: string): Promise<PolicyBuild> {
  assertPolicyPath(path);
  return compilePolicy(
    storedKey(path),
    storedSources(path, source, (other) => storedSource(db, other)),
  );
}

export type PolicySummary = { path: string; hash: string; kind: string | null; updatedAt: Date };

export async function listPolicies(db: Database): Promise<PolicySummary[]> {
  return db.orm
    .select({ path: policies.path, hash: policies.hash, kind: policies.kind, updatedAt: policies.updatedAt })
    .from(policies)
    .orderBy(asc(policies.path));
}

export type PolicyDetail = PolicySummary & { source: string; createdAt: Date; diagnostics: Diagnostic[] };

export async function getPolicy(db: Database, path: string): Promise<PolicyDetail | undefined> {
  const [row] = await db.orm
    .select({
      path: policies.path,
      hash: policies.hash,
      kind: policies.kind,
      source: policies.source,
      createdAt: policies.createdAt,
      updatedAt: policies.updatedAt,
      diagnostics: policyBuilds.diagnostics,
    })
    .from(policies)
    .innerJoin(policyBuilds, eq(policyBuilds.hash, policies.hash))
    .where(eq(policies.path, path));
  return row;
}
