import type { Page, SearchRequest } from './connector-port.ts';
import type { EngineDeps } from './engine-deps.ts';
import { lookupAccounts, splitRunKeys } from './lookup-accounts.ts';
import { normalizeKey } from './normalize-key.ts';
import { type EngineConfig, reconKeyIdmAttribute } from './recon-config.ts';
import type { ApplyTarget } from './store-port.ts';

/** The recon key is the unique field key: an IDM object's account can be read by its recon key value. */
export const readsByReconKey = (config: EngineConfig) =>
  config.sourceAttributeName !== null && config.sourceAttributeName === config.system.uniqueFieldKey;

/** What a keys run reads: its accounts (one page), and the IDM objects it may conclude about. */
export type KeyedRead = { pages: Page[]; idmIds: Set<string> };

/**
 * docs/api.md "Runs", `keys`: the accounts are read by key; an `idm:<id>` brings the accounts
 * linked to it (or, when the recon key is the unique field key, the account its key names); an
 * account key brings its link's IDM object, so an account that is gone is still concluded about.
 * Nothing else is read into the run.
 */
export async function readKeyedAccounts(
  keys: string[],
  config: EngineConfig,
  deps: Pick<EngineDeps, 'store' | 'connector'>,
  request: SearchRequest,
  target: ApplyTarget,
): Promise<KeyedRead> {
  const { accountKeys, idmIds } = splitRunKeys(keys);
  const wantedIdm = new Set(idmIds);
  const lookFor = new Set(accountKeys);
  const linkedIdm = new Set<string>();
  for (const link of await deps.store.linksOfIdmObjects(target, idmIds)) {
    lookFor.add(link.accountKey);
    linkedIdm.add(link.idmObjectId);
  }
  for (const link of await deps.store.linksByKeys(target, accountKeys.map(normalizeKey))) {
    wantedIdm.add(link.idmObjectId);
  }
  const reconAttribute = reconKeyIdmAttribute(config);
  const unlinked = idmIds.filter((id) => !linkedIdm.has(id));
  if (unlinked.length > 0 && reconAttribute && readsByReconKey(config)) {
    for (const entry of await deps.store.loadIdmObjects(unlinked)) {
      const value = entry.object.attributes[reconAttribute];
      for (const key of Array.isArray(value) ? value : value === null || value === undefined ? [] : [value])
        lookFor.add(String(key));
    }
  }
  const accounts = await lookupAccounts(deps.connector, [...lookFor], request);
  return { pages: [{ accounts, problems: [] }], idmIds: wantedIdm };
}
