import { type SQL, sql } from 'drizzle-orm';
import type { IdmWrite, LinkWrite } from '../core/plan.ts';
import type { AppliedEntry, ApplyTarget } from '../core/store-port.ts';
import { type Column, unnestRows } from './column-arrays.ts';
import { entitlementStatements } from './membership-sql.ts';

/** The indexed columns follow the attributes they mirror (absent attribute: column unchanged). */
const mirrored = (attrs: SQL) => sql`
  name = coalesce(${attrs}->>'name', o.name),
  login = case when ${attrs} ? 'login' then ${attrs}->>'login' else o.login end,
  email = case when ${attrs} ? 'email' then ${attrs}->>'email' else o.email end,
  employee_id = case when ${attrs} ? 'employeeId' then ${attrs}->>'employeeId' else o.employee_id end`;

type Update = { id: string; set: object; remove: string[]; sources: unknown; enable: boolean };
type StatusWrite = { id: string; status: 'disabled' | 'deleted'; source: object };
type LinkUpsert = Extract<LinkWrite, { op: 'upsert' }>;

// The rows of each bulk statement, one array parameter per column (column-arrays.ts).
const createColumns: Column<Extract<IdmWrite, { op: 'create' }>>[] = [
  ['id', 'text', (c) => c.id],
  ['type', 'text', (c) => c.type],
  ['attributes', 'jsonb', (c) => c.attributes],
  ['sources', 'jsonb', (c) => c.sources],
];
// An empty removal list goes as null: no key to remove.
const updateColumns: Column<Update>[] = [
  ['id', 'text', (u) => u.id],
  ['set', 'jsonb', (u) => u.set],
  ['remove', 'jsonb', (u) => (u.remove.length > 0 ? u.remove : null)],
  ['sources', 'jsonb', (u) => u.sources],
  ['enable', 'boolean', (u) => u.enable],
];
const statusColumns: Column<StatusWrite>[] = [
  ['id', 'text', (s) => s.id],
  ['status', 'text', (s) => s.status],
  ['source', 'jsonb', (s) => s.source],
];
const linkColumns: Column<LinkUpsert>[] = [
  ['account_key', 'text', (l) => l.accountKey],
  ['idm_object_id', 'text', (l) => l.idmObjectId],
  ['status', 'text', (l) => l.status],
  ['stale_since', 'timestamptz', (l) => l.staleSince],
];
const flipColumns: Column<AppliedEntry>[] = [
  ['seq', 'int', (e) => e.seq],
  ['outcome', 'text', (e) => e.outcome],
  ['error', 'jsonb', (e) => e.error],
];

/** The IDM, link and entitlement statements that apply a batch's successful entries. */
export function applyStatements(runId: string, target: ApplyTarget, entries: AppliedEntry[]): SQL[] {
  const ok = entries.filter((e) => e.outcome === 'applied');
  const statements: SQL[] = [];
  const creates = ok.flatMap((e) => (e.action.idm?.op === 'create' ? [e.action.idm] : []));
  if (creates.length > 0) {
    statements.push(sql`
      insert into idm_objects (id, type, name, status, login, email, employee_id, attributes, attribute_sources)
      select x.id, x.type, coalesce(x.attributes->>'name', x.attributes->>'login', x.attributes->>'employeeId', x.id), 'active',
             x.attributes->>'login', x.attributes->>'email', x.attributes->>'employeeId', x.attributes, x.sources
      from ${unnestRows(creates, createColumns)}
      on conflict (id) do nothing`);
  }
  // An enable is an update that also makes the object active and forgets who disabled it.
  const updates = ok.flatMap((e) => {
    const idm = e.action.idm;
    if (idm?.op !== 'update' && idm?.op !== 'enable') return [];
    const set = Object.fromEntries(Object.entries(idm.patch).filter(([, v]) => v !== null));
    const remove = Object.keys(idm.patch).filter((k) => idm.patch[k] === null);
    const update: Update = { id: idm.id, set, remove, sources: idm.sources, enable: idm.op === 'enable' };
    return [update];
  });
  if (updates.length > 0) {
    const attrs = sql`((o.attributes || x.set) - x.remove)`;
    statements.push(sql`
      update idm_objects o set attributes = ${attrs},
        attribute_sources = case when x.enable then (o.attribute_sources - 'status') else o.attribute_sources end || x.sources,
        status = case when x.enable then 'active' else o.status end,
        deleted_at = case when x.enable then null else o.deleted_at end,
        ${mirrored(attrs)}, updated_at = now(), version = o.version + 1
      from (select id, set, array(select jsonb_array_elements_text(remove)) as remove, sources, enable
        from ${unnestRows(updates, updateColumns)}) x
      where o.id = x.id`);
  }
  // A disable names its system as the status's source (what a later enable from it checks).
  const statuses = ok.flatMap((e) => {
    const idm = e.action.idm;
    if (idm?.op !== 'disable' && idm?.op !== 'delete') return [];
    const source =
      idm.op === 'disable' && idm.systemId ? { status: { systemId: idm.systemId, confidence: 100 } } : {};
    const status: StatusWrite = { id: idm.id, status: idm.op === 'disable' ? 'disabled' : 'deleted', source };
    return [status];
  });
  if (statuses.length > 0) {
    statements.push(sql`
      update idm_objects o set status = x.status, updated_at = now(), version = o.version + 1,
        attribute_sources = o.attribute_sources || x.source,
        deleted_at = case when x.status = 'deleted' then coalesce(o.deleted_at, now()) else o.deleted_at end
      from ${unnestRows(statuses, statusColumns)}
      where o.id = x.id`);
  }
  // Last write per account key wins: one statement may not touch the same link twice.
  const upserts = new Map<string, LinkUpsert>();
  const removals: string[] = [];
  for (const e of ok) {
    const link = e.action.link;
    if (link?.op === 'upsert') {
      upserts.set(link.accountKey, link);
    } else if (link?.op === 'remove') {
      upserts.delete(link.accountKey);
      removals.push(link.accountKey);
    }
  }
  if (removals.length > 0) {
    // One index probe per key (`offset 0` keeps the lateral from being turned into a join): with
    // the links freshly loaded and not yet analysed, `account_key = any(…)` made PostgreSQL scan
    // every link of the system and test each against the whole list (1.5 s for 1,000 of 100k).
    statements.push(sql`
      delete from links where id = any(array(
        select l.id from unnest(${sql.param(removals)}::text[]) k(key)
        cross join lateral (select id from links where system_id = ${target.systemId}
          and object_type = ${target.objectType} and account_key = k.key offset 0) l))`);
  }
  if (upserts.size > 0) {
    statements.push(sql`
      insert into links (system_id, object_type, account_key, idm_object_id, status, stale_since, last_seen_at)
      select ${target.systemId}, ${target.objectType}, x.account_key, x.idm_object_id, x.status, x.stale_since, now()
      from ${unnestRows([...upserts.values()], linkColumns)}
      on conflict (system_id, object_type, account_key) do update set idm_object_id = excluded.idm_object_id,
        status = excluded.status, stale_since = excluded.stale_since, last_seen_at = now(), updated_at = now()`);
  }
  statements.push(...entitlementStatements(target, ok));
  statements.push(flipStatement(runId, entries));
  return statements;
}

/**
 * Flips the batch's events from `planned` to their outcome, in the same transaction as the writes.
 * A batch is a run of consecutive seqs: the range keeps PostgreSQL to the batch's rows of the
 * (run_id, seq) index instead of every event of the run, for each batch.
 */
export function flipStatement(runId: string, entries: AppliedEntry[]): SQL {
  const seqs = entries.map((e) => e.seq);
  return sql`
    update run_events e set outcome = x.outcome, error = coalesce(x.error, e.error)
    from ${unnestRows(entries, flipColumns)}
    where e.run_id = ${runId} and e.seq = x.seq
      and e.seq between ${seqs.reduce((a, b) => Math.min(a, b))} and ${seqs.reduce((a, b) => Math.max(a, b))}`;
}
