import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { createConnector } from '../../server/connectors/index.ts';
import type { Response, Situation } from '../../server/core/model.ts';
import type { PolicyRunner } from '../../server/core/policy-port.ts';
import type { Database } from '../../server/db/client.ts';
import { managedSystems, reconConfigs, reconSituations, runs } from '../../server/db/schema/index.ts';
import { createRunService } from '../../server/services/runs/run-service.ts';
import type { StartRunRequest } from '../../server/services/runs/types.ts';

type ConfigValues = Partial<typeof reconConfigs.$inferInsert>;

/** A CSV-backed managed system with one User config, on a real database. */
export async function createCsvSystem(
  db: Database,
  csv: string,
  options: {
    trusted?: boolean;
    config?: ConfigValues;
    situations?: Partial<Record<Situation, Response>>;
    connection?: Record<string, unknown>;
    name?: string;
  } = {},
) {
  const dir = mkdtempSync(path.join(tmpdir(), 'trueup-recon-'));
  const file = path.join(dir, 'accounts.csv');
  writeFileSync(file, csv);
  const [system] = await db.orm
    .insert(managedSystems)
    .values({
      name: options.name ?? `csv-${path.basename(dir)}`,
      type: 'csv',
      trusted: options.trusted ?? true,
      uniqueFieldKey: 'employeeId',
      connection: { path: file, ...options.connection },
      attributes: ['employeeId', 'name', 'email'],
    })
    .returning();
  const [config] = await db.orm
    .insert(reconConfigs)
    .values({
      systemId: system?.id as string,
      objectType: 'User',
      sourceAttributeName: 'employeeId',
      idmField: 'employeeId',
      ...options.config,
    })
    .returning();
  const configId = config?.id as string;
  const rows = Object.entries(options.situations ?? {}).map(([situation, response]) => ({
    configId,
    situation: situation as Situation,
    response: response as Response,
  }));
  if (rows.length > 0) await db.orm.insert(reconSituations).values(rows);
  return { file, configId, systemId: system?.id as string, read: () => readFileSync(file, 'utf8') };
}

export async function setSituations(
  db: Database,
  configId: string,
  table: Partial<Record<Situation, Response>>,
) {
  await db.orm.delete(reconSituations).where(eq(reconSituations.configId, configId));
  const rows = Object.entries(table).map(([situation, response]) => ({
    configId,
    situation: situation as Situation,
    response: response as Response,
  }));
  if (rows.length > 0) await db.orm.insert(reconSituations).values(rows);
}

export function runServiceFor(
  db: Database,
  options: { now?: () => Date; policies?: PolicyRunner | null; batchSize?: number } = {},
) {
  return createRunService({
    db,
    log: { info: () => {}, warn: () => {} },
    policies: options.policies ?? null,
    openConnector: (system) =>
      createConnector({
        type: system.type,
        uniqueFieldKey: system.uniqueFieldKey,
        connection: system.connection,
        secrets: {},
      }),
    retentionDays: 90,
    ...(options.now ? { now: options.now } : {}),
    ...(options.batchSize ? { batchSize: options.batchSize } : {}),
  });
}

/** Starts a run, waits for it, and returns its row. */
export async function runToEnd(
  service: ReturnType<typeof runServiceFor>,
  db: Database,
  request: Partial<StartRunRequest> & { configId: string },
) {
  const started = await service.start({ dryRun: false, mode: 'full', trigger: 'api', ...request });
  if (started.outcome !== 'started') throw new Error(`run did not start: ${started.outcome}`);
  await service.wait(started.runId);
  const [run] = await db.orm.select().from(runs).where(eq(runs.id, started.runId));
  if (!run) throw new Error('run row missing');
  return run;
}

export async function eventsOf(db: Database, runId: string) {
  return db.rows<{
    seq: number;
    object_key: string | null;
    idm_object_id: string | null;
    situation: string | null;
    response: string | null;
    outcome: string;
    error: { code: string; message: string } | null;
    diff: Record<string, { before: unknown; after: unknown }> | null;
  }>(
    sql`select seq, object_key, idm_object_id, situation, response, outcome, error, diff from run_events where run_id = ${runId} order by seq`,
  );
}

export async function idmUsers(db: Database) {
  return db.rows<{
    id: string;
    name: string;
    status: string;
    employee_id: string | null;
    email: string | null;
    attributes: Record<string, unknown>;
    version: number;
  }>(
    sql`select id, name, status, employee_id, email, attributes, version from idm_objects where type = 'User' order by employee_id, id`,
  );
}

export async function addIdmUser(
  db: Database,
  employeeId: string,
  attributes: Record<string, unknown> = {},
  status = 'active',
) {
  const attrs: Record<string, unknown> = { employeeId, name: `User ${employeeId}`, ...attributes };
  const [row] = await db.rows<{ id: string }>(sql`
    insert into idm_objects (type, name, status, employee_id, email, attributes)
    values ('User', ${String(attrs.name)}, ${status}, ${employeeId}, ${(attrs.email as string) ?? null}, ${JSON.stringify(attrs)}::jsonb)
    returning id`);
  return row?.id as string;
}

export async function clearIdm(db: Database) {
  await db.rows(sql`delete from idm_objects`);
  await db.rows(sql`delete from links`);
}

/** The [key, IDM object id] pairs of a key set among `keys`, ordered. */
export async function keysOf(db: Database, kind: string, keys: string[]) {
  const rows = await db.rows<{ key: string; id: string }>(sql`
    select k.key, k.idm_object_id as id from idm_keys k
    where k.kind = ${kind} and k.key = any(${`{${keys.join(',')}}`}::text[]) order by k.key, k.idm_object_id`);
  return rows.map((r) => [r.key, r.id]);
}
