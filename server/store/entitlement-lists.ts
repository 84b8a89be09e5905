import { sql } from 'drizzle-orm';
import { carriesMembers, type EngineConfig, type IdmEntry } from '../core/recon-config.ts';
import type { IdmSlice, RunStore } from '../core/store-port.ts';
import type { Database } from '../db/client.ts';
import { listParam } from './rows.ts';

const chunk = 5000;

/**
 * What the IDM holds of a config's entitlement attribute, on the IDM side of each pair, so that an
 * equal list writes nothing (desired state) and a different one is a diff.
 *
 * For a Group, Role or Organization config (`member`) the IDM side carries that attribute: the
 * keys, on this system, of the IDM object's members (from `idm_memberships`, through the members'
 * links). The engine then compares and writes memberships like any other attribute: a member added
 * on the system reaches the IDM through the entitlements of UPDATE_IDM_FROM_RESOURCE, and one
 * removed in the IDM leaves the system through UPDATE_RESOURCE_FROM_IDM where the config's
 * attributeSync lets that attribute flow to it.
 *
 * For a User config (`memberOf`) the list is the keys of the groups the user is a member of through
 * this system, kept beside the attributes (`IdmEntry.entitlements`): a user's groups are compared,
 * never written as an attribute.
 *
 * A value the system listed that names no object the IDM knows (a service account, a nested
 * group no config reads, a member whose IDM object was deleted) cannot be a membership: the IDM
 * keeps it as the system gave it, in `entitlements`, and the list carries it from there, so an
 * unchanged list compares equal and is not rewritten on every run. Once such a value gets a
 * link, it leaves that part of the list and the next run makes it a membership.
 */
export function withEntitlementLists(store: RunStore, db: Database, config: EngineConfig): RunStore {
  if (!config.entitlementAttribute) return store;
  const attribute: string = config.entitlementAttribute;
  const systemId = config.system.id;
  const listsGroups = !carriesMembers(config);

  async function decorate(entries: IdmEntry[]): Promise<IdmEntry[]> {
    const members = new Map<string, string[]>();
    for (let at = 0; at < entries.length; at += chunk) {
      const ids = listParam(entries.slice(at, at + chunk).map((e) => e.object.id));
      // The second half mirrors the membership insert of server/store/membership-sql.ts: the
      // values that could not become a membership there.
      const rows = await db.rows<{ owner_id: string; account_key: string }>(
        listsGroups
          ? sql`
        select m.member_id as owner_id, l.account_key from idm_memberships m
        join links l on l.idm_object_id = m.target_id and l.system_id = ${systemId}
          and l.object_type <> 'User' and l.status <> 'tombstone'
        join idm_objects o on o.id = m.target_id and o.status <> 'deleted'
        where m.member_id = any(${ids}) and m.system_id = ${systemId}
        union
        select e.idm_object_id, e.value from entitlements e
        where e.system_id = ${systemId} and e.idm_object_id = any(${ids}) and not exists (
          select 1 from links l join idm_objects o on o.id = l.idm_object_id and o.status <> 'deleted'
          where l.system_id = ${systemId} and l.account_key = e.value and l.status <> 'tombstone'
            and l.object_type <> 'User')`
          : sql`
        select m.target_id as owner_id, l.account_key from idm_memberships m
        join links l on l.idm_object_id = m.member_id and l.system_id = ${systemId} and l.status <> 'tombstone'
        join idm_objects o on o.id = m.member_id and o.status <> 'deleted'
        where m.target_id = any(${ids})
        union
        select e.idm_object_id, e.value from entitlements e
        where e.system_id = ${systemId} and e.idm_object_id = any(${ids}) and not exists (
          select 1 from links l join idm_objects o on o.id = l.idm_object_id and o.status <> 'deleted'
          where l.system_id = ${systemId} and l.account_key = e.value and l.status <> 'tombstone'
            and l.idm_object_id <> e.idm_object_id)`,
      );
      for (const row of rows) {
        const list = members.get(row.owner_id);
        if (list) list.push(row.account_key);
        else members.set(row.owner_id, [row.account_key]);
      }
    }
    return entries.map((entry) => {
      const held = (members.get(entry.object.id) ?? []).sort();
      if (listsGroups) return { ...entry, entitlements: held };
      return {
        ...entry,
        object: { ...entry.object, attributes: { ...entry.object.attributes, [attribute]: held } },
      };
    });
  }

  const decorateSlice = async (slice: IdmSlice): Promise<IdmSlice> => ({
    entries: await decorate(slice.entries),
    next: slice.next,
  });

  return {
    ...store,
    loadIdmObjects: async (ids) => decorate(await store.loadIdmObjects(ids)),
    staleKeySets: async (...args) => decorateSlice(await store.staleKeySets(...args)),
    unseenIdmSlice: async (...args) => decorateSlice(await store.unseenIdmSlice(...args)),
  };
}
