import { hostname } from 'node:os';
import { eq, sql } from 'drizzle-orm';
import { beforeEach, expect, it } from 'vitest';
import { createConnector } from '../../server/connectors/index.ts';
import type { Connector } from '../../server/core/connector-port.ts';
import { type Database, openPostgres } from '../../server/db/client.ts';
import { runs } from '../../server/db/schema/index.ts';
import { createCancelService } from '../../server/services/runs/cancel-service.ts';
import { createRunService } from '../../server/services/runs/run-service.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { clearIdm, createCsvSystem, eventsOf } from './recon-fixture.ts';

/**
 * docs/api.md `POST /api/runs/:id/cancel` against the real engine: a connector held at a known point
 * (its first page, or its first write) lets each test cancel exactly there, with no timing.
 */
function gate() {
  let open!: () => void;
  let reach!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  const reached = new Promise<void>((resolve) => {
    reach = resolve;
  });
  const pass = () => {
    reach();
    return opened;
  };
  return { open, reached, pass };
}

type Gate = ReturnType<typeof gate>;

/** A run service over the real CSV connector, whose search or first write waits at a gate. */
function gatedRunService(db: Database, gates: { read?: Gate; write?: Gate }) {
  return createRunService({
    db,
    log: { info: () => {}, warn: () => {} },
    policies: null,
    retentionDays: 90,
    batchSize: 1,
    openConnector: (system) => {
      const real: Connector = createConnector({
        type: system.type,
        uniqueFieldKey: system.uniqueFieldKey,
        connection: system.connection,
        secrets: {},
      });
      let writes = 0;
      return Object.assign(Object.create(real) as Connector, {
        async *search(request: Parameters<Connector['search']>[0]) {
          await gates.read?.pass();
          yield* real.search(request);
        },
        async write(ops: Parameters<Connector['write']>[0]) {
          if (writes++ === 0) await gates.write?.pass();
          return real.write(ops);
        },
      });
    },
  });
}

/** Starts a full run of a new CSV config whose connector waits at `gates`. */
async function startHeld(
  db: Database,
  csv: string,
  response: 'ADD_TO_IDM' | 'DELETE_FROM_RESOURCE',
  gates: { read?: Gate; write?: Gate },
) {
  const system = await createCsvSystem(db, csv, {
    trusted: response === 'ADD_TO_IDM',
    situations: { IDM_NOT_EXISTS__RESOURCE_EXISTS: response },
  });
  const service = gatedRunService(db, gates);
  const started = await service.start({
    configId: system.configId,
    dryRun: false,
    mode: 'full',
    trigger: 'api',
  });
  if (started.outcome !== 'started') throw new Error(started.outcome);
  return { system, service, runId: started.runId };
}

const orphans = (n: number) =>
  `employeeId,name,email\n${Array.from({ length: n }, (_, i) => `X${String(i).padStart(3, '0')},Orphan ${i},x${i}@x`).join('\n')}\n`;

const rowOf = async (db: Database, runId: string) => {
  const [row] = await db.orm.select().from(runs).where(eq(runs.id, runId));
  return row!;
};

const outcomes = async (db: Database, runId: string) => {
  const counted: Record<string, number> = {};
  for (const e of await eventsOf(db, runId)) counted[e.outcome] = (counted[e.outcome] ?? 0) + 1;
  return counted;
};

describeEachDatabase('cancelling a run', (db, kind) => {
  beforeEach(async () => {
    await clearIdm(db());
  });

  it('stops a run cancelled while it reads before it plans anything, leaving no stage behind', async () => {
    const read = gate();
    const { service, runId } = await startHeld(db(), 'employeeId,name\nE1,Ann\nE2,Bob\n', 'ADD_TO_IDM', {
      read,
    });
    await read.reached;
    const asked = await createCancelService({ db: db() }).cancel(runId, 'test-operator');
    expect(asked).toMatchObject({ outcome: 'cancel_requested', cancelledBy: 'test-operator' });
    read.open();
    expect(await service.wait(runId)).toMatchObject({ outcome: 'cancelled' });
    const run = await rowOf(db(), runId);
    expect(run).toMatchObject({ status: 'cancelled', cancelledBy: 'test-operator' });
    expect(run.error).toMatchObject({ code: 'cancelled', message: expect.stringContaining('test-operator') });
    expect(run.finishedAt).not.toBeNull();
    expect(await eventsOf(db(), runId)).toEqual([]);
    const [staged] = await db().rows<{ n: number }>(
      sql`select count(*)::int as n from run_accounts where run_id = ${runId}`,
    );
    expect(Number(staged?.n)).toBe(0);
    const [users] = await db().rows<{ n: number }>(sql`select count(*)::int as n from idm_objects`);
    expect(Number(users?.n)).toBe(0);
  });

  it('lets the batch being written finish and stops before the next: what it applied stays journaled', async () => {
    // 30 orphans deleted from the file, 10 per system batch (batchSize 1): the cancel lands while
    // the first batch is being written.
    const write = gate();
    const {
      system: app,
      service,
      runId,
    } = await startHeld(db(), orphans(30), 'DELETE_FROM_RESOURCE', { write });
    await write.reached;
    await createCancelService({ db: db() }).cancel(runId, 'test-operator');
    write.open();
    await service.wait(runId);
    const run = await rowOf(db(), runId);
    expect(run.status).toBe('cancelled');
    expect(run.phase).toBe('applying');
    expect(await outcomes(db(), runId)).toEqual({ applied: 10, planned: 20 });
    // The journal and the system agree: the ten applied deletions are gone from the file, no more.
    const applied = (await eventsOf(db(), runId)).filter((e) => e.outcome === 'applied');
    const left = app.read();
    for (const e of applied) expect(left).not.toContain(`${e.object_key},`);
    expect(left.trim().split('\n')).toHaveLength(1 + 20);
    expect(run.counts).toMatchObject({ responses: { DELETE_FROM_RESOURCE: 30 }, errors: 0 });
  });

  it('cancels a queued run at once, and refuses to cancel a run that has ended', async () => {
    const hr = await createCsvSystem(db(), 'employeeId,name\nE1,Ann\n');
    const [queued] = await db()
      .orm.insert(runs)
      .values({ configId: hr.configId, status: 'queued' })
      .returning({ id: runs.id });
    const cancel = createCancelService({ db: db() });
    expect(await cancel.cancel(queued!.id, 'ops')).toMatchObject({
      outcome: 'cancelled',
      cancelledBy: 'ops',
    });
    const run = await rowOf(db(), queued!.id);
    expect(run).toMatchObject({ status: 'cancelled', cancelledBy: 'ops', error: { code: 'cancelled' } });
    expect(run.finishedAt).not.toBeNull();
    expect(await cancel.cancel(queued!.id, 'ops')).toEqual({ outcome: 'already_ended', status: 'cancelled' });
    expect(await cancel.cancel('no-such-run', 'ops')).toEqual({ outcome: 'run_not_found' });
  });

  it('ends a run cancelled after its server died as cancelled when another server takes it over', async () => {
    const hr = await createCsvSystem(db(), 'employeeId,name\nE1,Ann\n', {
      situations: { IDM_NOT_EXISTS__RESOURCE_EXISTS: 'ADD_TO_IDM' },
    });
    // A process of this host that is gone: its run is taken over at once.
    const [orphan] = await db()
      .orm.insert(runs)
      .values({
        configId: hr.configId,
        status: 'running',
        phase: 'planning',
        startedAt: new Date(),
        heartbeatAt: new Date(),
        owner: `${hostname()}:2147483646`,
      })
      .returning({ id: runs.id });
    await createCancelService({ db: db() }).cancel(orphan!.id, 'night-shift');
    const service = gatedRunService(db(), {});
    expect(await service.resumeInterrupted()).toEqual([orphan!.id]);
    expect(await service.wait(orphan!.id)).toMatchObject({ outcome: 'cancelled' });
    expect(await rowOf(db(), orphan!.id)).toMatchObject({ status: 'cancelled', cancelledBy: 'night-shift' });
    const [users] = await db().rows<{ n: number }>(sql`select count(*)::int as n from idm_objects`);
    expect(Number(users?.n)).toBe(0);
  });

  it.runIf(kind === 'postgres')(
    'stops a run when the cancel comes through another server sharing the database',
    async () => {
      const read = gate();
      const { service, runId } = await startHeld(db(), 'employeeId,name\nE1,Ann\n', 'ADD_TO_IDM', { read });
      await read.reached;
      // The other server: its own connections, its own cancel service; only the database is shared.
      const other = await openPostgres(db().url!, { max: 2 });
      try {
        await createCancelService({ db: other }).cancel(runId, 'other-server');
      } finally {
        await other.close();
      }
      read.open();
      await service.wait(runId);
      expect(await rowOf(db(), runId)).toMatchObject({
        status: 'cancelled',
        cancelledBy: 'other-server',
      });
    },
  );
});
