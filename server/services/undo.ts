import type { Connector, LookupRequest } from '../core/connector-port.ts';
import { lookupAccounts } from '../core/lookup-accounts.ts';
import type { Account, RunStatus } from '../core/model.ts';
import { normalizeKey } from '../core/normalize-key.ts';
import type { PlannedEvent } from '../core/plan.ts';
import {
  type AppliedRecord,
  invertEvent,
  membershipEvent,
  type UndoContext,
  type UndoDecision,
} from '../core/undo-plan.ts';
import type { Database } from '../db/client.ts';
import type { ManagedSystemRow } from '../db/schema/index.ts';
import { loadEngineConfig } from '../store/load-config.ts';
import {
  appliedEvents,
  createUndoRun,
  idmObjectsNow,
  undoPlanNotes,
  undoSubject,
} from '../store/undo-store.ts';
import type { Approver } from './review.ts';

/** One thing the undo plan will not do, or will do only in part, and why. */
export type NotUndone = {
  /** The event of the undone run. */
  seq: number;
  objectKey: string | null;
  idmObjectId: string | null;
  /** `cannot_undo`, `changed_since_run`, or `partly` (the rest of the action is planned). */
  code: string;
  reason: string;
};

/** docs/api.md `POST /api/runs/:id/undo`: how a request for an undo plan ends. */
export type UndoPlanOutcome =
  | {
      outcome: 'planned';
      runId: string;
      planHash: string;
      undoOf: string;
      planned: number;
      notUndone: NotUndone[];
    }
  | { outcome: 'run_not_found' }
  | { outcome: 'forbidden'; reason: string }
  | { outcome: 'not_undoable'; status: RunStatus; reason: string }
  | { outcome: 'already_undone'; runId: string }
  | { outcome: 'config_not_found' };

const statusesNotDone: RunStatus[] = ['queued', 'running'];
const pageSize = 1000;

export type UndoServiceDeps = {
  db: Database;
  openConnector: (system: ManagedSystemRow) => Connector;
  /** IDM_RESTORE_DAYS: a deleted IDM object comes back whole within this window. */
  restoreDays: number;
  now?: () => Date;
};

/**
 * Undo a run (DESIGN "Undo is a plan too"): a dry run whose plan is the inverse of every action
 * the run applied, reviewed and applied like any plan (server/services/review.ts) with its hash
 * and drift checks. Objects changed since the run, and what cannot be undone, are in the plan as
 * skipped events with the reason, and in the answer, before anything is applied.
 */
export function createUndoService(deps: UndoServiceDeps) {
  const { db } = deps;
  return {
    /** What an undo plan's actions restore only in part, and why: the review page lists them. */
    notes: (planRunId: string) => undoPlanNotes(db, planRunId),
    async plan(input: { runId: string; approver: Approver }): Promise<UndoPlanOutcome> {
      if (input.approver.role !== 'admin') {
        return { outcome: 'forbidden', reason: 'undoing a run needs an admin' };
      }
      const run = await undoSubject(db, input.runId);
      if (!run) return { outcome: 'run_not_found' };
      const refuse = (reason: string): UndoPlanOutcome => ({
        outcome: 'not_undoable',
        status: run.status,
        reason,
      });
      if (run.dryRun) {
        return refuse(
          run.trigger === 'undo'
            ? 'this is an undo plan: it has written nothing yet; apply it, then its apply run can be undone'
            : 'a dry run wrote nothing',
        );
      }
      if (statusesNotDone.includes(run.status) || !run.finishedAt) {
        return refuse(`the run is ${run.status}: undo it once it has ended`);
      }
      if (run.undoneBy) return { outcome: 'already_undone', runId: run.undoneBy };
      if (!run.configId) return { outcome: 'config_not_found' };
      const loaded = await loadEngineConfig(db, run.configId);
      if (!loaded) return { outcome: 'config_not_found' };
      const connector = deps.openConnector(loaded.system);
      try {
        const isDisabled = connector.isDisabled?.bind(connector);
        const ctx: UndoContext = {
          now: (deps.now ?? (() => new Date()))(),
          restoreDays: deps.restoreDays,
          systemId: loaded.system.id,
          systemType: loaded.system.type,
          uniqueFieldKey: loaded.system.uniqueFieldKey,
          entitlementAttribute: loaded.config.entitlementAttribute,
          memberships: connector.memberships ?? null,
          enable: connector.disableWrite ?? null,
          ...(isDisabled ? { isDisabled } : {}),
        };
        const request = run.readRequest ?? {
          attributes: loaded.config.policyMap.length > 0 ? loaded.config.policyMap : null,
          searchFilter: loaded.config.targetSearchFilter,
        };
        const events: PlannedEvent[] = [];
        const notUndone: NotUndone[] = [];
        const runEnded = run.finishedAt;
        const groupsToRejoin = new Map<string, { key: string; record: AppliedRecord; members: string[] }>();
        /** One event of the plan; what it leaves undone goes in the answer. */
        const add = (made: UndoDecision, record: AppliedRecord) => {
          events.push(made.event);
          const about = { seq: record.seq, objectKey: made.event.objectKey, idmObjectId: record.idmObjectId };
          if (made.kind === 'skipped') {
            const error = made.event.error ?? { code: 'cannot_undo', message: '' };
            notUndone.push({ ...about, code: error.code, reason: error.message });
          } else {
            for (const note of made.notes) notUndone.push({ ...about, code: 'partly', reason: note });
          }
        };
        for (let after = -1; ; ) {
          const page = await appliedEvents(db, run.id, after, pageSize);
          if (page.length === 0) break;
          after = page[page.length - 1]?.seq ?? after;
          const keysOf = (records: typeof page) => [
            ...new Set(records.flatMap((r) => (r.objectKey === null ? [] : [r.objectKey]))),
          ];
          const accounts = await accountsByKey(
            connector,
            keysOf(page.filter((r) => !r.restoresMembership)),
            request,
          );
          // Groups an undo put an entry back in: read as groups, outside the accounts' query.
          const groupsRead = ctx.memberships
            ? await accountsByKey(
                connector,
                keysOf(page.filter((r) => r.restoresMembership)),
                groupRequest(ctx.memberships.member),
              )
            : new Map<string, Account>();
          for (const [key, group] of groupsRead) accounts.set(key, group);
          const ids = [...new Set(page.flatMap((r) => (r.action.idm ? [r.action.idm.id] : [])))];
          const idm = await idmObjectsNow(db, ids, runEnded);
          for (const record of page) {
            const account =
              record.objectKey === null ? null : (accounts.get(normalizeKey(record.objectKey)) ?? null);
            const idmNow = record.action.idm ? (idm.get(record.action.idm.id) ?? null) : null;
            const decision = invertEvent(record, { idm: idmNow, account }, events.length, ctx);
            add(decision, record);
            if (decision.kind === 'planned') {
              for (const group of decision.groups) {
                const key = normalizeKey(group);
                const entry = decision.event.objectKey ?? '';
                const joining = groupsToRejoin.get(key);
                if (joining) joining.members.push(entry);
                else groupsToRejoin.set(key, { key: group, record, members: [entry] });
              }
            }
          }
        }
        // One write per group, after every entry it lists is back (membershipEvent).
        if (ctx.memberships && groupsToRejoin.size > 0) {
          const memberships = ctx.memberships;
          const wanted = [...groupsToRejoin.values()];
          const groups = await accountsByKey(
            connector,
            wanted.map((g) => g.key),
            groupRequest(memberships.member),
          );
          for (const g of wanted) {
            const group = groups.get(normalizeKey(g.key)) ?? null;
            add(membershipEvent(g.record, g.key, group, g.members, events.length, memberships), g.record);
          }
        }
        if (events.length === 0) return refuse('the run applied no action');
        const created = await createUndoRun(
          db,
          {
            undoOf: run.id,
            configId: run.configId,
            mode: run.mode,
            startedBy: input.approver.name,
            readRequest: run.readRequest,
          },
          events,
        );
        return {
          outcome: 'planned',
          runId: created.runId,
          planHash: created.planHash,
          undoOf: run.id,
          planned: events.filter((e) => e.outcome === 'planned').length,
          notUndone,
        };
      } finally {
        await connector.close().catch(() => {});
      }
    },
  };
}

export type UndoService = ReturnType<typeof createUndoService>;

async function accountsByKey(
  connector: Connector,
  keys: string[],
  request: LookupRequest,
): Promise<Map<string, Account>> {
  const found = await lookupAccounts(connector, keys, request);
  return new Map(found.map((a) => [normalizeKey(a.key), a]));
}

/** A directory's groups, read by key whatever the accounts' query is. */
const groupRequest = (member: string): LookupRequest => ({
  attributes: [member],
  searchFilter: '(objectClass=*)',
});
