import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { sql } from 'drizzle-orm';
import type { Account } from '../core/model.ts';
import { type DecidedOutcome, outcomeOf } from '../core/outcome-diff.ts';
import type { OutcomeRecorder } from '../core/outcome-recorder.ts';
import type { Database } from '../db/client.ts';

const zip = promisify(gzip);
const unzip = promisify(gunzip);

/** One line of a snapshot: a decided pair's outcome, with the account as the run read it. */
export type SnapshotLine = DecidedOutcome & { account: Account | null };

/**
 * Records a full run's snapshot as it decides: each decided slice becomes one gzip'd part of JSON
 * lines. The run's accounts are taken from its decided pairs, not from how it staged them, so
 * this is the one place that knows where a snapshot's accounts come from.
 */
export function createSnapshotRecorder(db: Database, run: { id: string; configId: string }): OutcomeRecorder {
  let part = 0;
  return {
    async slice(pairs, events) {
      if (pairs.length === 0) return;
      const lines = pairs.map((pair, i) => {
        const event = events[i];
        if (!event) throw new Error('a decided slice has one event per pair');
        const line: SnapshotLine = { ...outcomeOf(pair, event), account: pair.account };
        return JSON.stringify(line);
      });
      const data = (await zip(lines.join('\n'))).toString('base64');
      // A planning phase started again (a resumed run) records from its first part again.
      if (part === 0) await db.rows(sql`delete from run_snapshots where run_id = ${run.id}`);
      await db.rows(sql`
        insert into run_snapshots (run_id, config_id, part, lines, data)
        values (${run.id}, ${run.configId}, ${part++}, ${lines.length}, decode(${data}, 'base64'))`);
    },
  };
}

/**
 * After a run: a run that ended with a plan (applied, reviewed or held) keeps its snapshot, and
 * only the last `keep` such runs of the config keep theirs; any other run's is dropped.
 */
export async function settleSnapshot(
  db: Database,
  run: { id: string; configId: string },
  kept: boolean,
  keep: number,
) {
  if (!kept) {
    await db.rows(sql`delete from run_snapshots where run_id = ${run.id}`);
    return;
  }
  await db.rows(sql`
    delete from run_snapshots where config_id = ${run.configId} and run_id not in (
      select r.id from runs r
      where r.id in (select distinct run_id from run_snapshots where config_id = ${run.configId})
      order by r.created_at desc, r.id desc limit ${keep})`);
}

/** Whether a run kept a snapshot, and how many pairs it holds. */
export async function snapshotSize(db: Database, runId: string): Promise<number | null> {
  const [row] = await db.rows<{ parts: number; lines: number | null }>(sql`
    select count(*)::int as parts, sum(lines)::int as lines from run_snapshots where run_id = ${runId}`);
  return row && Number(row.parts) > 0 ? Number(row.lines ?? 0) : null;
}

/** A run's snapshot, part by part in the order it was decided (one part in memory at a time). */
export async function* readSnapshot(db: Database, runId: string): AsyncGenerator<SnapshotLine[]> {
  for (let part = 0; ; part++) {
    const [row] = await db.rows<{ data: string }>(sql`
      select encode(data, 'base64') as data from run_snapshots where run_id = ${runId} and part = ${part}`);
    if (!row) return;
    const text = (await unzip(Buffer.from(row.data, 'base64'))).toString('utf8');
    yield text.split('\n').map((line) => JSON.parse(line) as SnapshotLine);
  }
}
