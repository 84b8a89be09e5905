import { type SQL, sql } from 'drizzle-orm';
import type { CorrelationVia } from '../core/correlate.ts';
import { runKeyKinds } from '../core/key-sets.ts';
import type { Account } from '../core/model.ts';
import type { LinkRow, LinkStatus } from '../core/recon-config.ts';
import type {
  ConcludedIdm,
  CorrelationStore,
  IdmScope,
  IdmSlice,
  StagedAccount,
} from '../core/store-port.ts';
import type { Database } from '../db/client.ts';
import { textArrayLiteral } from '../db/copy-text.ts';
import { unnestRows } from './column-arrays.ts';
import { idmFilterToSql } from './idm-filter-sql.ts';
import { type IdmRow, idmColumns, idmEntryOf, json, listParam as list, rowsParam } from './rows.ts';

function scopeSql(scope: IdmScope): SQL {
  if (scope.kind === 'none') return sql`and false`;
  return scope.kind === 'filter' ? sql`and ${idmFilterToSql(scope.filter)}` : sql``;
}

type LinkSqlRow = {
  account_key: string;
  idm_object_id: string;
  status: LinkStatus;
  stale_since: Date | string | null;
};

const linkRowOf = (row: LinkSqlRow): LinkRow => ({
  accountKey: row.account_key,
  idmObjectId: row.idm_object_id,
  status: row.status,
  staleSince: row.stale_since ? new Date(row.stale_since).toISOString() : null,
});

type StagedSqlRow = {
  seq: number;
  key_norm: string;
  account: Account | string;
  idm_object_id: string | null;
  via: CorrelationVia | null;
  candidates: string[] | string;
  scores: Record<string, number | null> | string | null;
  keys: string[] | null;
} & { [K in keyof LinkSqlRow as `link_${K}`]: LinkSqlRow[K] | null };

const stagedColumns = sql`a.seq, a.key_norm, a.account, a.idm_object_id, a.via, a.candidates, a.scores, a.keys,
  l.account_key as link_account_key, l.idm_object_id as link_idm_object_id, l.status as link_status,
  l.stale_since as link_stale_since`;

function stagedOf(r: StagedSqlRow): StagedAccount {
  return {
    seq: Number(r.seq),
    keyNorm: r.key_norm,
    account: json(r.account) as Account,
    idmObjectId: r.idm_object_id,
    via: r.via,
    candidates: json(r.candidates) ?? [],
    scores: json(r.scores),
    keys: r.keys ?? [],
    link:
      r.link_account_key === null
        ? null
        : linkRowOf({
            account_key: r.link_account_key,
            idm_object_id: r.link_idm_object_id as string,
            status: r.link_status as LinkStatus,
            stale_since: r.link_stale_since,
          }),
  };
}

/** The columns of a run's reads, as COPY fills them. */
const readColumns = ['run_id', 'seq', 'key_norm', 'account', 'account_hash', 'keys', 'quiet'];

/** A slice read with `limit`: a full one may have a next (it starts after its last id). */
function sliceOf(rows: IdmRow[], limit: number): IdmSlice {
  const entries = rows.map(idmEntryOf);
  return { entries, next: rows.length < limit ? null : (entries.at(-1)?.object.id ?? null) };
}

/** See ConcludedIdm: objects written since the last run, or remembered in a no-op of the config. */
function incrementalConcluded(c: Extract<ConcludedIdm, { kind: 'incremental' }>): SQL {
  const linked = c.linkedOnly
    ? sql`and exists (select 1 from links l where l.idm_object_id = o.id
        and l.system_id = ${c.target.systemId} and l.object_type = ${c.target.objectType})`
    : sql``;
  const written = c.since ? sql`(o.updated_at > ${c.since}::timestamptz ${linked})` : sql`false`;
  const remembered = c.memosOf
    ? sql`exists (select 1 from decision_memos m where m.config_id = ${c.memosOf} and m.idm_object_id = o.id)`
    : sql`false`;
  return sql`${written} or ${remembered}`;
}

/** The correlation half of the run store (core/store-port.ts CorrelationStore), in bulk SQL. */
export function createCorrelationStore(db: Database): CorrelationStore {
  /**
   * The next `limit` object ids of a type: slices over the whole IDM walk the primary key, then
   * join just those ids (a join over the whole table per slice made a 1M run quadratic).
   */
  async function idRange(objectType: string, afterId: string, limit: number) {
    const rows = await db.rows<{ id: string }>(
      sql`select id from idm_objects where type = ${objectType} and id > ${afterId} order by id limit ${limit}`,
    );
    const ids = rows.map((r) => r.id);
    return { ids, next: ids.length < limit ? null : (ids[ids.length - 1] ?? null) };
  }

  return {
    async normalizeLinkKeys(target, normalize) {
      for (let filled = 0; ; ) {
        const rows = await db.rows<{ id: string; account_key: string }>(sql`
          select id, account_key from links
          where system_id = ${target.systemId} and object_type = ${target.objectType} and key_norm is null
          limit 5000`);
        if (rows.length === 0) return filled;
        filled += rows.length;
        const keyed = rows.map((r) => ({ id: r.id, key_norm: normalize(r.account_key) }));
        await db.rows(sql`
          update links l set key_norm = x.key_norm
          from jsonb_to_recordset(${rowsParam(keyed)}) as x(id text, key_norm text) where l.id = x.id`);
      }
    },

    async linksByKeys(target, keys) {
      if (keys.length === 0) return [];
      const rows = await db.rows<LinkSqlRow>(sql`
        select account_key, idm_object_id, status, stale_since from links
        where system_id = ${target.systemId} and object_type = ${target.objectType} and key_norm = any(${list(keys)})`);
      return rows.map(linkRowOf);
    },

    async linksOfIdmObjects(target, ids) {
      if (ids.length === 0) return [];
      const rows = await db.rows<LinkSqlRow>(sql`
        select account_key, idm_object_id, status, stale_since from links
        where system_id = ${target.systemId} and object_type = ${target.objectType} and idm_object_id = any(${list(ids)})
        order by account_key`);
      return rows.map(linkRowOf);
    },

    async keySetsRefreshed(objectType, kind) {
      // `now` is the point the refresh records and the next one looks back to. Writers stamp
      // idm_objects.updated_at with now(), their transaction's start, and may commit after this
      // refresh has looked: the point is the start of the oldest transaction still open, so the
      // next refresh finds what they wrote. A session of another role hides its transaction
      // (without pg_read_all_stats): then the point is ten minutes back. PGlite runs one query
      // or transaction at a time: none is open while this one runs.
      const safePoint =
        db.kind === 'pglite'
          ? sql`now()`
          : sql`(select case when bool_or(state is null) then now() - interval '10 minutes'
              else least(now(), min(xact_start)) end
            from pg_stat_activity where datname = current_database() and backend_type = 'client backend')`;
      const [row] = await db.rows<{ at: Date | string | null; now: Date | string }>(sql`
        select (select refreshed_at from idm_key_kinds where kind = ${kind} and object_type = ${objectType}) as at,
               ${safePoint} as now`);
      const iso = (v: Date | string) => new Date(v).toISOString();
      return { at: row?.at ? iso(row.at) : null, now: iso(row?.now ?? new Date()) };
    },

    async staleKeySets(objectType, kind, since, afterId, limit) {
      const stale = sql`o.status <> 'deleted' and (s.version is null or s.version <> o.version)`;
      const keySet = sql`left join idm_key_sets s on s.idm_object_id = o.id and s.kind = ${kind}`;
      if (since) {
        // Written since the last refresh: served by the (type, updated_at) index.
        const rows = await db.rows<IdmRow>(sql`
          select ${idmColumns} from idm_objects o ${keySet}
          where o.type = ${objectType} and o.updated_at >= ${since}::timestamptz and o.id > ${afterId} and ${stale}
          order by o.id limit ${limit}`);
        return sliceOf(rows, limit);
      }
      const range = await idRange(objectType, afterId, limit);
      if (range.ids.length === 0) return { entries: [], next: null };
      const rows = await db.rows<IdmRow>(sql`
        select ${idmColumns} from idm_objects o ${keySet}
        where o.id = any(${list(range.ids)}) and ${stale}
        order by o.id`);
      return { entries: rows.map(idmEntryOf), next: range.next };
    },

    async markKeySetsRefreshed(objectType, kind, at) {
      await db.rows(sql`
        insert into idm_key_kinds (kind, object_type, refreshed_at) values (${kind}, ${objectType}, ${at}::timestamptz)
        on conflict (kind, object_type) do update set refreshed_at = excluded.refreshed_at`);
    },

    async saveKeySets(kind, sets) {
      if (sets.length === 0) return;
      // One array parameter per column (column-arrays.ts), not a JSON document per statement.
      const ids = sql.param(sets.map((s) => s.id));
      const keys = sets.flatMap((s) => s.keys.map((key) => ({ id: s.id, key })));
      await db.orm.transaction(async (tx) => {
        await tx.execute(
          sql`delete from idm_keys where kind = ${kind} and idm_object_id = any(${ids}::text[])`,
        );
        if (keys.length > 0) {
          await tx.execute(sql`
            insert into idm_keys (kind, key, idm_object_id)
            select ${kind}, x.key, x.id from ${unnestRows(keys, [
              ['id', 'text', (k) => k.id],
              ['key', 'text', (k) => k.key],
            ])}
            on conflict do nothing`);
        }
        await tx.execute(sql`
          insert into idm_key_sets (idm_object_id, kind, version)
          select x.id, ${kind}, x.version from ${unnestRows(sets, [
            ['id', 'text', (k) => k.id],
            ['version', 'int', (k) => k.version],
          ])}
          on conflict (idm_object_id, kind) do update set version = excluded.version`);
      });
    },

    async analyzeKeys() {
      await db.rows(sql`analyze links, idm_keys, idm_key_sets`);
    },

    async stageAccounts(runId, accounts) {
      async function* rows() {
        for await (const a of accounts)
          yield [runId, a.seq, a.keyNorm, a.account, a.accountHash, textArrayLiteral(a.keys), a.quiet];
      }
      return db.copyIn('run_reads', readColumns, rows());
    },

    async repeatedKeys(runId) {
      // Fresh statistics first: the last analyze saw another run's reads, so the planner took this
      // run's for a few rows and joined them by loops (15 minutes for a 100k no-change run).
      await db.rows(sql`analyze run_reads`);
      const rows = await db.rows<{ key: string }>(sql`
        with twice as (
          select key_norm from run_reads where run_id = ${runId} group by key_norm having count(*) > 1
        ), ranked as (
          select r.seq, r.account->>'key' as key, r.quiet,
            row_number() over (partition by r.key_norm order by r.seq) as n
          from run_reads r join twice t on t.key_norm = r.key_norm where r.run_id = ${runId}
        )
        select key from ranked where n > 1 and not quiet order by seq`);
      return rows.map((r) => r.key);
    },

    async correlateReads(runId, target, keys, memo) {
      // One link per account: an active one before others, then the latest written.
      const settled = memo
        ? sql`left join decision_memos m on m.config_id = ${memo.configId} and m.key_norm = r.key_norm
            and m.basis = ${memo.basis} and m.account_hash = r.account_hash and m.idm_object_id = o.id
            and m.idm_version = o.version and lk.status = 'active' and o.status <> 'deleted'`
        : sql`left join (select null::text as situation, null::text as response) m on false`;
      const candidates =
        keys && keys.scope.kind !== 'none'
          ? sql`select r.seq, array_agg(distinct o.id order by o.id) as ids
              from r cross join lateral unnest(r.keys) as u(key)
              join idm_keys k on k.kind = ${keys.kind} and k.key = u.key
              join idm_objects o on o.id = k.idm_object_id
              where o.type = ${target.objectType} and o.status <> 'deleted' ${scopeSql(keys.scope)}
                and not exists (select 1 from lk where lk.seq = r.seq)
              group by r.seq`
          : sql`select null::int as seq, null::text[] as ids where false`;
      // Fresh statistics of the reads, or the planner takes them for a few rows and joins by loops.
      await db.rows(sql`analyze run_reads`);
      const [inserted] = await db.rows<{ n: number }>(sql`
        with r as materialized (
          select distinct on (key_norm) seq, key_norm, account, account_hash, keys, quiet
          from run_reads where run_id = ${runId} order by key_norm, seq
        ), lk as materialized (
          select distinct on (r.seq) r.seq, l.id, l.idm_object_id, l.status
          from r join links l on l.system_id = ${target.systemId} and l.object_type = ${target.objectType}
            and l.key_norm = r.key_norm
          order by r.seq, (l.status = 'active') desc, l.updated_at desc
        ), kc as (${candidates}
        ), staged as (
          insert into run_accounts (run_id, seq, key_norm, account, account_hash, keys, quiet, link_id, via,
            idm_object_id, candidates, settled_situation, settled_response)
          select ${runId}, r.seq, r.key_norm, r.account, r.account_hash, r.keys, r.quiet, lk.id,
            case when lk.id is not null then 'link' when cardinality(kc.ids) = 1 then 'reconKey' end,
            case when lk.id is not null then o.id when cardinality(kc.ids) = 1 then kc.ids[1] end,
            case when lk.id is null then coalesce(to_jsonb(kc.ids), '[]'::jsonb)
              when o.id is null then '[]'::jsonb else jsonb_build_array(o.id) end,
            m.situation, m.response
          from r
          left join lk on lk.seq = r.seq
          left join idm_objects o on o.id = lk.idm_object_id
          ${settled}
          left join kc on kc.seq = r.seq
          returning 1
        )
        select count(*)::int as n from staged`);
      await db.rows(sql`delete from run_reads where run_id = ${runId}`);
      await db.rows(sql`analyze run_accounts`);
      return Number(inserted?.n ?? 0);
    },

    async correlateByKeys(runId, objectType, scope, kind, via) {
      if (scope.kind === 'none') return;
      await db.rows(sql`
        with c as (
          select a.seq, array_agg(distinct o.id order by o.id) as ids
          from run_accounts a cross join lateral unnest(a.keys) as u(key)
          join idm_keys k on k.kind = ${kind} and k.key = u.key
          join idm_objects o on o.id = k.idm_object_id
          where a.run_id = ${runId} and a.link_id is null and a.candidates = '[]'::jsonb
            and o.type = ${objectType} and o.status <> 'deleted' ${scopeSql(scope)}
          group by a.seq
        )
        update run_accounts a set candidates = to_jsonb(c.ids),
          idm_object_id = case when cardinality(c.ids) = 1 then c.ids[1] end,
          via = case when cardinality(c.ids) = 1 then ${via} end
        from c where a.run_id = ${runId} and a.seq = c.seq`);
    },

    async uncorrelatedSlice(runId, afterSeq, limit) {
      const rows = await db.rows<{ seq: number; account: Account | string }>(sql`
        select seq, account from run_accounts
        where run_id = ${runId} and seq > ${afterSeq} and link_id is null and candidates = '[]'::jsonb
        order by seq limit ${limit}`);
      return rows.map((r) => ({ seq: Number(r.seq), account: json(r.account) as Account }));
    },

    async saveKeys(runId, keys) {
      if (keys.length === 0) return;
      await db.rows(sql`
        update run_accounts a set keys = array(select jsonb_array_elements_text(x.keys))
        from jsonb_to_recordset(${rowsParam(keys)}) as x(seq int, keys jsonb)
        where a.run_id = ${runId} and a.seq = x.seq`);
    },

    async disputedSlice(runId, afterSeq, limit) {
      const rows = await db.rows<StagedSqlRow>(sql`
        select ${stagedColumns} from run_accounts a left join links l on false
        where a.run_id = ${runId} and a.seq > ${afterSeq} and a.link_id is null
          and a.idm_object_id is null and jsonb_array_length(a.candidates) > 1
        order by a.seq limit ${limit}`);
      return rows.map(stagedOf);
    },

    async saveScores(runId, scored) {
      if (scored.length === 0) return;
      await db.rows(sql`
        update run_accounts a set idm_object_id = x.idm_object_id, via = x.via, candidates = x.candidates,
          scores = x.scores
        from jsonb_to_recordset(${rowsParam(scored.map((s) => ({ ...s, idm_object_id: s.idmObjectId })))})
          as x(seq int, idm_object_id text, via text, candidates jsonb, scores jsonb)
        where a.run_id = ${runId} and a.seq = x.seq`);
    },

    async markDisputedSeen(runId) {
      await db.rows(sql`
        insert into run_seen (run_id, idm_object_id)
        select distinct ${runId}, jsonb_array_elements_text(candidates) from run_accounts
        where run_id = ${runId} and idm_object_id is null and jsonb_array_length(candidates) > 1
        on conflict do nothing`);
    },

    async sharedClaims(runId) {
      const rows = await db.rows<{ id: string }>(sql`
        select idm_object_id as id from run_accounts
        where run_id = ${runId} and idm_object_id is not null and via <> 'link'
        group by idm_object_id having count(*) > 1`);
      return new Set(rows.map((r) => r.id));
    },

    async stagedSlice(runId, afterSeq, limit) {
      const rows = await db.rows<StagedSqlRow>(sql`
        select ${stagedColumns} from run_accounts a left join links l on l.id = a.link_id
        where a.run_id = ${runId} and a.seq > ${afterSeq} and a.settled_response is null
        order by a.seq limit ${limit}`);
      return rows.map(stagedOf);
    },

    async settledCounts(runId) {
      const rows = await db.rows<{ situation: string; response: string; count: number }>(sql`
        select settled_situation as situation, settled_response as response, count(*)::int as count
        from run_accounts where run_id = ${runId} and settled_response is not null
        group by settled_situation, settled_response`);
      return rows.map((r) => ({ ...r, count: Number(r.count) }));
    },

    async settledSlice(runId, afterSeq, limit) {
      const rows = await db.rows<{
        seq: number;
        account: Account | string;
        idm_object_id: string;
        version: number;
        situation: string;
        response: string;
      }>(sql`
        select a.seq, a.account, a.idm_object_id, o.version, a.settled_situation as situation,
          a.settled_response as response
        from run_accounts a join idm_objects o on o.id = a.idm_object_id
        where a.run_id = ${runId} and a.seq > ${afterSeq} and a.settled_response is not null
        order by a.seq limit ${limit}`);
      return rows.map((r) => ({
        seq: Number(r.seq),
        account: json(r.account) as Account,
        idmObjectId: r.idm_object_id,
        idmVersion: Number(r.version),
        situation: r.situation,
        response: r.response,
      }));
    },

    async unseenIdmSlice(runId, objectType, scope, afterId, limit, concluded) {
      const unseen = sql`o.status <> 'deleted' ${scopeSql(scope)}
        and not exists (select 1 from run_accounts a where a.run_id = ${runId} and a.idm_object_id = o.id)
        and not exists (select 1 from run_seen s where s.run_id = ${runId} and s.idm_object_id = o.id)`;
      if (concluded.kind === 'all') {
        const range = await idRange(objectType, afterId, limit);
        if (range.ids.length === 0) return { entries: [], next: null };
        const rows = await db.rows<IdmRow>(sql`
          select ${idmColumns} from idm_objects o where o.id = any(${list(range.ids)}) and ${unseen}
          order by o.id`);
        return { entries: rows.map(idmEntryOf), next: range.next };
      }
      // A few objects: those named, or written since (served by the updated_at index).
      const only =
        concluded.kind === 'ids'
          ? sql`o.id = any(${list(concluded.ids)})`
          : sql`(${incrementalConcluded(concluded)})`;
      const rows = await db.rows<IdmRow>(sql`
        select ${idmColumns} from idm_objects o
        where o.type = ${objectType} and ${only} and o.id > ${afterId} and ${unseen}
        order by o.id limit ${limit}`);
      return sliceOf(rows, limit);
    },

    async saveMemos(configId, remember, forget) {
      if (forget.length > 0) {
        await db.rows(
          sql`delete from decision_memos where config_id = ${configId} and key_norm = any(${list(forget)})`,
        );
      }
      if (remember.length === 0) return;
      await db.rows(sql`
        insert into decision_memos (config_id, key_norm, account_hash, idm_object_id, idm_version, basis, situation, response)
        select ${configId}, x."keyNorm", x."accountHash", x."idmObjectId", x."idmVersion", x.basis, x.situation, x.response
        from jsonb_to_recordset(${rowsParam(remember)}) as x("keyNorm" text, "accountHash" text, "idmObjectId" text,
          "idmVersion" int, basis text, situation text, response text)
        on conflict (config_id, key_norm) do update set account_hash = excluded.account_hash,
          idm_object_id = excluded.idm_object_id, idm_version = excluded.idm_version, basis = excluded.basis,
          situation = excluded.situation, response = excluded.response`);
    },

    async lastRunEnd(configId) {
      const [row] = await db.rows<{ at: Date | string }>(sql`
        select finished_at as at from runs
        where config_id = ${configId} and status = 'succeeded' and not dry_run and finished_at is not null
        order by finished_at desc limit 1`);
      return row ? new Date(row.at).toISOString() : null;
    },

    async idmChangedSince(objectType, since, afterId, limit) {
      const rows = await db.rows<{ id: string }>(sql`
        select id from idm_objects
        where type = ${objectType} and updated_at > ${since}::timestamptz and id > ${afterId}
        order by id limit ${limit}`);
      return rows.map((r) => r.id);
    },

    async clearStage(runId, options) {
      if (options?.keepAccounts) {
        await db.rows(sql`
          delete from run_accounts where run_id in (
            select o.id from runs o join runs r on r.id = ${runId}
            where o.config_id = r.config_id and o.id <> r.id)`);
      } else {
        await db.rows(sql`delete from run_accounts where run_id = ${runId}`);
      }
      await db.rows(sql`delete from run_seen where run_id = ${runId}`);
      await db.rows(sql`delete from run_reads where run_id = ${runId}`);
      // By name, through the indexes: a `like` scanned the key tables whole (0.2 s at 1M objects,
      // on every run). The sets table has no index by kind: it is cleared when the run made key
      // sets of its own (a crash before the first kinds row and the first key leaves only sets
      // without keys, which no lookup reads).
      const own = list(Object.values(runKeyKinds(runId)));
      const marked = await db.rows(sql`delete from idm_key_kinds where kind = any(${own}) returning kind`);
      const [keyed] = await db.rows<{ n: number }>(
        sql`with gone as (delete from idm_keys where kind = any(${own}) returning 1) select count(*)::int as n from gone`,
      );
      if (marked.length > 0 || Number(keyed?.n) > 0)
        await db.rows(sql`delete from idm_key_sets where kind = any(${own})`);
    },
  };
}
