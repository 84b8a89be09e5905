import { sql } from 'drizzle-orm';
import type { Attributes, ObjectType } from '../core/model.ts';
import type { Database } from '../db/client.ts';
import { json, listParam } from './rows.ts';

/** How an account stands with the IDM now: linked, claimed by several IDM objects, or neither. */
export const accountLinkStates = ['linked', 'orphan', 'disputed'] as const;
export type AccountLinkState = (typeof accountLinkStates)[number];

export type LastReadAccount = {
  key: string;
  objectType: ObjectType;
  configId: string;
  runId: string;
  readAt: string | null;
  attributes: Attributes;
  state: AccountLinkState;
  link: { id: string; idmObjectId: string; status: string } | null;
};

export type LastReadFilter = {
  /** Prefix of the key, or text within the attributes (case-insensitive). */
  q?: string | undefined;
  state?: AccountLinkState | undefined;
  after?: { objectType: string; key: string } | undefined;
  limit: number;
};

type Row = {
  key: string;
  object_type: ObjectType;
  config_id: string;
  run_id: string;
  read_at: Date | string | null;
  account: { key: string; attributes: Attributes } | string;
  link_id: string | null;
  link_idm: string | null;
  link_status: string | null;
  state: AccountLinkState;
};

/**
 * The accounts a system's configs read in their last full run, with their link state as it is
 * now. The one place that knows where runs keep what they read (the staged accounts a full run
 * leaves, `run_accounts`); nothing here reads the system itself.
 */
export function lastReadAccounts(db: Database) {
  /** The staged rows of each config's last full run that finished reading (one run per config). */
  const lastReads = (systemId: string) => sql`
    with reads as (
      select distinct on (c.id) c.id as config_id, c.object_type, r.id as run_id, r.finished_at
      from recon_configs c join runs r on r.config_id = c.id
      where c.system_id = ${systemId} and r.mode = 'full'
        and coalesce(r.phase, '') not in ('reading', 'planning')
        and exists (select 1 from run_accounts s where s.run_id = r.id)
      order by c.id, r.created_at desc
    ), accounts as (
      select s.account->>'key' as key, s.key_norm, s.account, s.candidates, rd.*
      from reads rd join run_accounts s on s.run_id = rd.run_id
    )
    select a.key, a.object_type, a.config_id, a.run_id, a.finished_at as read_at, a.account,
      l.id as link_id, l.idm_object_id as link_idm, l.status as link_status,
      case when l.id is not null then 'linked'
        when jsonb_array_length(a.candidates) > 1 or exists (select 1 from disputes d
          where d.config_id = a.config_id and d.object_key = a.key and d.status = 'open') then 'disputed'
        else 'orphan' end as state
    from accounts a
    left join links l on l.system_id = ${systemId} and l.object_type = a.object_type
      and (l.key_norm = a.key_norm or (l.key_norm is null and l.account_key = a.key))`;

  const toAccount = (row: Row): LastReadAccount => {
    const account = json(row.account) as { key: string; attributes: Attributes };
    return {
      key: row.key,
      objectType: row.object_type,
      configId: row.config_id,
      runId: row.run_id,
      readAt: row.read_at ? new Date(row.read_at).toISOString() : null,
      attributes: account.attributes,
      state: row.state,
      link: row.link_id ? { id: row.link_id, idmObjectId: row.link_idm!, status: row.link_status! } : null,
    };
  };

  return {
    /** One page of a system's last-read accounts, by object type and key. */
    async list(systemId: string, filter: LastReadFilter): Promise<LastReadAccount[]> {
      const conditions = [sql`true`];
      if (filter.state) conditions.push(sql`x.state = ${filter.state}`);
      if (filter.q) {
        const q = filter.q.toLowerCase();
        conditions.push(
          sql`(starts_with(lower(x.key), ${q}) or strpos(lower((x.account->'attributes')::text), ${q}) > 0)`,
        );
      }
      if (filter.after) {
        conditions.push(sql`(x.object_type, x.key) > (${filter.after.objectType}, ${filter.after.key})`);
      }
      const rows = await db.rows<Row>(sql`
        select * from (${lastReads(systemId)}) x where ${sql.join(conditions, sql` and `)}
        order by x.object_type, x.key limit ${filter.limit}`);
      return rows.map(toAccount);
    },

    /** The last-read accounts of these links (system, object type, account key), where one was read. */
    async ofLinks(
      wanted: Array<{ systemId: string; objectType: string; accountKey: string }>,
    ): Promise<LastReadAccount[]> {
      const found: LastReadAccount[] = [];
      for (const systemId of new Set(wanted.map((w) => w.systemId))) {
        const keys = wanted.filter((w) => w.systemId === systemId).map((w) => w.accountKey);
        const rows = await db.rows<Row & { system_id: string }>(sql`
          select * from (${lastReads(systemId)}) x where x.key = any(${listParam(keys)})`);
        found.push(...rows.map(toAccount));
      }
      return found;
    },
  };
}

export type LastReadAccounts = ReturnType<typeof lastReadAccounts>;
