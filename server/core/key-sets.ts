import { callPolicy } from './call-policy.ts';
import type { RunDeps, RunView } from './engine-deps.ts';
import { keysOfValue } from './normalize-key.ts';
import type { PolicyCallOptions } from './policy-port.ts';
import { carriesMembers, type EngineConfig, type IdmEntry, reconKeyIdmAttribute } from './recon-config.ts';
import { analyzeAfter, sliceSize } from './run-slices.ts';
import type { IdmScope, IdmSlice } from './store-port.ts';

/** Which key sets (`idm_keys.kind`) a run's recon key and matching rule look accounts up in. */
export type KeyKinds = { recon: string | null; rule: string | null };

/**
 * Names the run's key sets and brings them up to date, before the source is read (a source
 * cursor left waiting for minutes is dropped by its server). Only objects written since the last
 * refresh are looked at, and only those whose version moved get their keys again, so an
 * unchanged IDM needs no `idmKeys` call at all. A set is kept across runs only when the keys
 * depend on the object version alone: not for a matching rule that may read the clock or
 * randomness, nor for objects that carry their members (a membership changes without a new
 * version). Those sets are made for the run (`run:<id>:…`) and dropped after.
 */
/** The names of the key sets a run makes for itself alone; `clearStage` drops them by name. */
export const runKeyKinds = (runId: string) => ({ recon: `run:${runId}:attr`, rule: `run:${runId}:rule` });

export async function refreshKeySets(
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
  const own = runKeyKinds(run.id);
  const kinds: KeyKinds = {
    recon: attribute ? (lasting ? `attr:${attribute}` : own.recon) : null,
    rule: rulePath ? (lasting && version?.inputOnly ? `rule:${version.hash}` : own.rule) : null,
  };
  if (scope.kind === 'none') return kinds;
  let written = 0;
  if (kinds.recon && attribute) {
    written += await refresh(deps, config, kinds.recon, async (entries) =>
      entries.map((e) => keysOfValue(e.object.attributes[attribute])),
    );
  }
  if (kinds.rule && rulePath) {
    written += await refresh(deps, config, kinds.rule, async (entries) => {
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
  kind: string,
  keysOf: (entries: IdmEntry[]) => Promise<string[][]>,
): Promise<number> {
  const { store } = deps;
  // `now` is no later than the start of any write still uncommitted (keySetsRefreshed): what
  // such a write stamps is found by the next refresh, which looks back to exactly there.
  const { at: since, now } = await store.keySetsRefreshed(config.objectType, kind);
  let written = 0;
  for (let after: string | null = ''; after !== null; ) {
    const { entries, next }: IdmSlice = await store.staleKeySets(
      config.objectType,
      kind,
      since,
      after,
      sliceSize,
    );
    after = next;
    if (entries.length === 0) continue;
    written += entries.length;
    const keys = await keysOf(entries);
    await store.saveKeySets(
      kind,
      entries.map((e, i) => ({ id: e.object.id, version: e.version ?? 1, keys: keys[i] ?? [] })),
    );
  }
  await store.markKeySetsRefreshed(config.objectType, kind, now);
  return written;
}
