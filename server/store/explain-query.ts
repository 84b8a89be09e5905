import { and, eq, inArray } from 'drizzle-orm';
import type { AttributeDiff } from '../core/attribute-sync.ts';
import type { ExplainInput } from '../core/explain.ts';
import type { CorrelationRecord } from '../core/explain-record.ts';
import type { PlannedAction } from '../core/plan.ts';
import type { EngineConfig } from '../core/recon-config.ts';
import type { Database } from '../db/client.ts';
import { idmObjects, runEvents, runs } from '../db/schema/index.ts';

/** What the run stored about one event (its row, the run's config snapshot and policy versions). */
export async function explainInput(
  db: Database,
  runId: string,
  eventId: number,
): Promise<ExplainInput | null> {
  const [found] = await db.orm
    .select({ event: runEvents, run: runs })
    .from(runEvents)
    .innerJoin(runs, eq(runs.id, runEvents.runId))
    .where(and(eq(runEvents.runId, runId), eq(runEvents.id, eventId)))
    .limit(1);
  if (!found) return null;
  const { event, run } = found;
  const output = (event.policyOutput ?? null) as Record<string, unknown> | null;
  const correlation = (event.correlation ?? null) as CorrelationRecord | null;
  const dispute = (output?.dispute ?? null) as { candidates?: string[] } | null;
  const ids = [
    ...new Set([
      ...(dispute?.candidates ?? []),
      ...(correlation?.candidates ?? []),
      ...Object.keys((output?.scores ?? {}) as object),
      ...(event.idmObjectId ? [event.idmObjectId] : []),
    ]),
  ];
  const named =
    ids.length > 0
      ? await db.orm
          .select({ id: idmObjects.id, name: idmObjects.name })
          .from(idmObjects)
          .where(inArray(idmObjects.id, ids))
      : [];
  return {
    event: {
      id: event.id,
      objectKey: event.objectKey,
      idmObjectId: event.idmObjectId,
      situation: event.situation,
      response: event.response,
      outcome: event.outcome,
      action: (event.action ?? null) as PlannedAction | null,
      diff: (event.diff ?? null) as AttributeDiff | null,
      policyOutput: output,
      correlation,
      error: event.error ?? null,
    },
    run: {
      id: run.id,
      status: run.status,
      dryRun: run.dryRun,
      error: run.error ?? null,
      policies: run.policies ?? [],
      config: (run.configSnapshot ?? null) as EngineConfig | null,
    },
    names: new Map(named.map((n) => [n.id, n.name])),
  };
}
