import { type SQL, sql } from 'drizzle-orm';
import type { AppliedEntry, ApplyTarget } from '../core/store-port.ts';
import { type Column, unnestRows } from './column-arrays.ts';

type Value = { account_key: string; idm_object_id: string; value: string };
const valueColumns: Column<Value>[] = [
  ['account_key', 'text', (v) => v.account_key],
  ['idm_object_id', 'text', (v) => v.idm_object_id],
  ['value', 'text', (v) => v.value],
];

/**
 * IDHub's rule: the memberships an account lists replace what the IDM holds from this system.
 * Values are account keys on the same system, and each one's link names its IDM object.
 *
 * A User config reads an account's groups (`memberOf`): the account is the member and each value
 * a group, role or organization. A Group, Role or Organization config reads a group's members
 * (`member`): the account is the target and each value a member (a user, or a nested group).
 */
export function entitlementStatements(target: ApplyTarget, ok: AppliedEntry[]): SQL[] {
  const owners = ok.flatMap((e) => (e.action.entitlements ? [e.action.entitlements] : []));
  if (owners.length === 0) return [];
  const values = owners.flatMap((o) =>
    o.values.map((value): Value => ({ account_key: o.accountKey, idm_object_id: o.idmObjectId, value })),
  );
  const ownerIds = sql`${sql.param(owners.map((o) => o.idmObjectId))}::text[]`;
  const ownerKeys = sql`${sql.param(owners.map((o) => o.accountKey))}::text[]`;
  const listsGroups = target.objectType === 'User';
  const statements = [
    // One index probe per account, as for links in apply-sql.ts: no plan that scans the system.
    sql`delete from entitlements where id = any(array(
      select e.id from unnest(${ownerKeys}) k(key)
      cross join lateral (select id from entitlements where system_id = ${target.systemId}
        and account_key = k.key offset 0) e))`,
    listsGroups
      ? sql`delete from idm_memberships where system_id = ${target.systemId} and member_id = any(${ownerIds})`
      : sql`delete from idm_memberships where system_id = ${target.systemId} and target_id = any(${ownerIds})`,
  ];
  // A group's members are part of what the IDM says of it (server/store/entitlement-lists.ts), and a
  // Group config writes them only when they changed: the group is a new version.
  if (!listsGroups) {
    statements.push(
      sql`update idm_objects set version = version + 1, updated_at = now() where id = any(${ownerIds})`,
    );
  }
  if (values.length === 0) return statements;
  const rows = unnestRows(values, valueColumns);
  const linked = sql`links l on l.system_id = ${target.systemId} and l.account_key = x.value and l.status <> 'tombstone'`;
  statements.push(
    sql`insert into entitlements (system_id, account_key, idm_object_id, value)
      select ${target.systemId}, x.account_key, x.idm_object_id, x.value from ${rows}
      on conflict do nothing`,
    listsGroups
      ? sql`insert into idm_memberships (member_id, target_id, system_id)
        select distinct x.idm_object_id, l.idm_object_id, ${target.systemId} from ${rows}
        join ${linked} and l.object_type <> 'User'
        join idm_objects g on g.id = l.idm_object_id and g.status <> 'deleted'
        on conflict do nothing`
      : sql`insert into idm_memberships (member_id, target_id, system_id)
        select distinct l.idm_object_id, x.idm_object_id, ${target.systemId} from ${rows}
        join ${linked} and l.idm_object_id <> x.idm_object_id
        join idm_objects m on m.id = l.idm_object_id and m.status <> 'deleted'
        on conflict do nothing`,
  );
  return statements;
}
