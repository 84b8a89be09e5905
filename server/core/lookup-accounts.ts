import type { Connector, LookupRequest } from './connector-port.ts';
import type { Account } from './model.ts';
import { normalizeKey } from './normalize-key.ts';

/**
 * Reads accounts by unique field key (keys runs, the drift check of an approved plan): through the
 * connector's `lookup` where it has one, otherwise a search filtered on the keys while it streams
 * (only the wanted accounts are kept). Keys with no account are absent from the answer.
 */
export async function lookupAccounts(
  connector: Connector,
  keys: string[],
  request: LookupRequest,
): Promise<Account[]> {
  if (keys.length === 0) return [];
  if (connector.lookup) {
    return connector.lookup(keys, {
      attributes: request.attributes ?? null,
      ...(request.query ? { query: request.query } : {}),
      searchFilter: request.searchFilter ?? null,
    });
  }
  const wanted = new Set(keys.map(normalizeKey));
  const found: Account[] = [];
  for await (const page of connector.search(request)) {
    // A record that could not be read may be one of the wanted accounts: absence proves nothing.
    const [problem] = page.problems;
    if (problem) {
      throw new Error(
        `a look-up by key cannot tell which accounts exist: the system's data has problems (${problem.message})`,
      );
    }
    for (const account of page.accounts) if (wanted.has(normalizeKey(account.key))) found.push(account);
  }
  return found;
}

/** A keys run's keys: unique field keys of accounts, and IDM object ids (`idm:<id>`). */
export function splitRunKeys(keys: string[]): { accountKeys: string[]; idmIds: string[] } {
  const accountKeys: string[] = [];
  const idmIds: string[] = [];
  for (const key of keys) {
    if (key.startsWith('idm:')) idmIds.push(key.slice(4));
    else accountKeys.push(key);
  }
  return { accountKeys, idmIds };
}

export const maxRunKeys = 1000;

/** docs/api.md "Runs": what is wrong with a run's `keys` (1–1000, unique, none empty), or null. */
export function runKeysProblem(keys: string[]): string | null {
  if (keys.length < 1 || keys.length > maxRunKeys) return `give 1 to ${maxRunKeys} keys`;
  if (keys.some((k) => k.trim() === '')) return 'a key must not be empty';
  if (keys.some((k) => k.trim() === 'idm:')) return 'an "idm:" key needs an IDM object id after it';
  if (new Set(keys).size !== keys.length) return 'each key may appear once';
  return null;
}
