import { callPolicy } from './call-policy.ts';
import type { RunDeps, RunView } from './engine-deps.ts';
import { keysOfValue } from './normalize-key.ts';
import type { PolicyCallOptions } from './policy-port.ts';
import { carriesMembers, type EngineConfig, type IdmEntry, reconKeyIdmAttribute } from './recon-config.ts';
import type { IdmScope } from './store-port.ts';

/** Which key sets (`idm_keys.kind`) a run's recon key and matching rule look accounts up in. */
export type KeyKinds = { recon: string | null; rule: string | null };

const sliceSize = 5000;
/** Key sets written before the planner's statistics are refreshed. */
const analyzeAfter = 1000;

/**
 * The run's key sets, brought up to date on first use (a run whose accounts are all linked needs
 * none): only objects written since their set was made get their keys again, so an unchanged IDM
 * needs no `idmKeys` call at all. A set is kept across runs only when the keys depend on the
 * object version alone: not for a matching rule that may read the clock or randomness, nor for
 * objects that carry their members (a membership changes without a new version). Those sets are
 * made for the run (`run:<id>:…`) and dropped after.
 */
export function runKeySets(
  run: RunView,
  config: EngineConfig,
  deps: RunDeps,
  scope: IdmScope,
  options: PolicyCallOptions,
): () => Promise<KeyKinds> {
  let ready: Promise<KeyKinds> | null = null;
  return () => {
    ready ??= refreshKeySets(run, config, deps, scope, options);
    return ready;
  };
}

async function refreshKeySets(
  run: RunView,
  config: EngineConfig,
  deps: RunDeps,
  scope: IdmScope,
  options: PolicyCallOptions,
): Promise<KeyKinds> {
  const lasting = !carriesMembers(config);
  const attribute = reconKeyIdmAttribute(config);
  const rulePath = config.matchingPolicy;
  const version = rulePath && deps.policies ? await deps.policies.versionOf(rulePath) : null;
  const kinds: KeyKinds = {
    recon: attribute ? (lasting ? `attr:${attribute}` : `run:${run.id}:attr`) : null,
    rule: rulePath ? (lasting && version?.inputOnly ? `rule:${version.hash}` : `run:${run.id}:rule`) : null,
  };
  if (scope.kind === 'none') return kinds;
  let written = 0;
  if (kinds.recon && attribute) {
    written += await refresh(deps, config, scope, kinds.recon, async (entries) =>
      entries.map((e) => keysOfValue(e.object.attributes[attribute])),
    );
  }
  if (kinds.rule && rulePath) {
    written += await refresh(deps, config, scope, kinds.rule, async (entries) => {
      const results = await callPolicy(
        deps.policies,
        rulePath,
        'matchingRule',
        'idmKeys',
        entries.map((e) => e.object),
        options,
      );
      return results.map((r) => (r.ok ? r.value.flatMap((k) => keysOfValue(k)) : []));
    });
  }
  if (written > analyzeAfter) await deps.store.analyzeKeys();
  return kinds;
}

async function refresh(
  deps: RunDeps,
  config: EngineConfig,
  scope: IdmScope,
  kind: string,
  keysOf: (entries: IdmEntry[]) => Promise<string[][]>,
): Promise<number> {
  for (let after: string | null = '', written = 0; ; ) {
    if (after === null) return written;
    const { entries, next } = await deps.store.staleKeySets(config.objectType, scope, kind, after, sliceSize);
    after = next;
    if (entries.length === 0) continue;
    written += entries.length;
    const keys = await keysOf(entries);
    await deps.store.saveKeySets(
      kind,
      entries.map((e, i) => ({ id: e.object.id, version: e.version ?? 1, keys: keys[i] ?? [] })),
    );
  }
}
