import type { Page } from './connector-port.ts';
import type { ObjectType } from './model.ts';
import { normalizeKey } from './normalize-key.ts';
import type { IdmEntry, LinkEntry, LinkRow } from './recon-config.ts';
import type { IdmScope, RunStore } from './store-port.ts';

/** What a run correlates accounts with: the IDM objects in scope, and the links with their objects. */
export type IdmSide = { entries: IdmEntry[]; links: LinkEntry[] };

/**
 * Gives each link its IDM object: from `inScope` when loaded already (one copy in memory),
 * otherwise from storage (deleted or out-of-scope objects).
 */
async function withObjects(store: RunStore, rows: LinkRow[], inScope: Map<string, IdmEntry>) {
  const missing = [...new Set(rows.filter((r) => !inScope.has(r.idmObjectId)).map((r) => r.idmObjectId))];
  const others = new Map((await store.loadIdmObjects(missing)).map((e) => [e.object.id, e]));
  return rows.map(
    (row): LinkEntry => ({
      ...row,
      idm: inScope.get(row.idmObjectId) ?? others.get(row.idmObjectId) ?? null,
    }),
  );
}

/** Every IDM object in scope, for a full run or for accounts that must be correlated by key. */
export async function loadWholeIdmSide(
  store: RunStore,
  objectType: ObjectType,
  scope: IdmScope,
  linkRows: LinkRow[],
): Promise<IdmSide> {
  const entries = await store.loadIdmScope(objectType, scope);
  const links = await withObjects(store, linkRows, new Map(entries.map((e) => [e.object.id, e])));
  return { entries, links };
}

/**
 * An incremental run whose every changed account is linked correlates through links alone (a
 * link always wins over keys), so it needs only those links' IDM objects, not the whole scope.
 * Null when some account has no link: it must be correlated by key against the whole scope.
 */
export async function loadLinkedIdmSide(
  store: RunStore,
  linkRows: LinkRow[],
  pages: Page[],
): Promise<IdmSide | null> {
  const byKey = new Map<string, LinkRow>();
  for (const row of linkRows) byKey.set(normalizeKey(row.accountKey), row);
  const needed = new Set<LinkRow>();
  for (const page of pages) {
    for (const account of page.accounts) {
      const key = normalizeKey(account.key);
      if (key === '') continue;
      const row = byKey.get(key);
      if (!row) return null;
      needed.add(row);
    }
  }
  return { entries: [], links: await withObjects(store, [...needed], new Map()) };
}
