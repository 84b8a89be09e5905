import { writeFileSync } from 'node:fs';
import { eq, sql } from 'drizzle-orm';
import { beforeEach, expect, it } from 'vitest';
import { runs, watermarks } from '../../server/db/schema/index.ts';
import { createRunService } from '../../server/services/runs/run-service.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import {
  addIdmUser,
  clearIdm,
  createCsvSystem,
  eventsOf,
  idmUsers,
  runServiceFor,
  runToEnd,
} from './recon-fixture.ts';

describeEachDatabase('watermarks, entitlements, do-nothing events and retention', (db) => {
  beforeEach(async () => {
    await clearIdm(db());
  });

  it('incremental runs read from the watermark, never conclude absence, and advance it only after a real run', async () => {
    const csv = 'employeeId,name,email,changed\nE1,Ann,a@x,2025-01-01\nE2,Bob,b@x,2025-01-05\n';
    const hr = await createCsvSystem(db(), csv, {
      connection: { watermarkColumn: 'changed' },
      situations: {
        IDM_NOT_EXISTS__RESOURCE_EXISTS: 'ADD_TO_IDM',
        IDM_EXISTS__RESOURCE_EXISTS: 'UPDATE_IDM_FROM_RESOURCE',
        IDM_EXISTS__RESOURCE_NOT_EXISTS: 'DELETE_FROM_IDM',
      },
    });
    const service = runServiceFor(db());
    const mark = async () =>
      (await db().orm.select().from(watermarks).where(eq(watermarks.configId, hr.configId)))[0]?.value ??
      null;
    await runToEnd(service, db(), { configId: hr.configId, dryRun: true });
    expect(await mark()).toBeNull();
    await runToEnd(service, db(), { configId: hr.configId });
    expect(await mark()).toBe('2025-01-05');

    // E1 is no longer in the file, E2 changed after the watermark: an incremental run sees only E2
    // and must not take E1's absence for a deletion.
    writeFileSync(hr.file, 'employeeId,name,email,changed\nE2,Bob Renamed,b@x,2025-02-01\n');
    const incremental = await runToEnd(service, db(), { configId: hr.configId, mode: 'incremental' });
    expect(incremental.counts.situations).toEqual({ IDM_EXISTS__RESOURCE_EXISTS: 1 });
    expect((await idmUsers(db())).map((u) => [u.employee_id, u.name, u.status])).toEqual([
      ['E1', 'Ann', 'active'],
      ['E2', 'Bob Renamed', 'active'],
    ]);
    expect(await mark()).toBe('2025-02-01');
  });

  it('the memberships on an account replace what the IDM holds from that system', async () => {
    const user = await addIdmUser(db(), 'E1');
    const app = await createCsvSystem(db(), 'employeeId,name,email,groups\nE1,Ann,a@x,G-A;G-B\n', {
      trusted: false,
      config: { entitlementAttribute: 'groups' },
      situations: { IDM_EXISTS__RESOURCE_EXISTS: 'UPDATE_IDM_FROM_RESOURCE' },
    });
    const groups: Record<string, string> = {};
    for (const key of ['G-A', 'G-B', 'G-C']) {
      const [row] = await db().rows<{ id: string }>(
        sql`insert into idm_objects (type, name) values ('Group', ${key}) returning id`,
      );
      groups[key] = row?.id as string;
      await db().rows(sql`insert into links (system_id, object_type, account_key, idm_object_id)
        values (${app.systemId}, 'Group', ${key}, ${groups[key]})`);
    }
    const memberships = async () =>
      (
        await db().rows<{
          name: string;
        }>(sql`select g.name from idm_memberships m join idm_objects g on g.id = m.target_id
          where m.member_id = ${user} and m.system_id = ${app.systemId} order by g.name`)
      ).map((r) => r.name);
    const service = runServiceFor(db());
    await runToEnd(service, db(), { configId: app.configId });
    expect(await memberships()).toEqual(['G-A', 'G-B']);
    writeFileSync(app.file, 'employeeId,name,email,groups\nE1,Ann,a@x,G-C\n');
    await runToEnd(service, db(), { configId: app.configId });
    expect(await memberships()).toEqual(['G-C']);
    const values = await db().rows<{ value: string }>(
      sql`select value from entitlements where system_id = ${app.systemId}`,
    );
    expect(values.map((v) => v.value)).toEqual(['G-C']);
  });

  it('DO_NOTHING events are stored only for the do-nothing report; counts always', async () => {
    const csv = 'employeeId,name,email\nE1,Ann,a@x\n';
    const quiet = await createCsvSystem(db(), csv, {
      situations: { IDM_NOT_EXISTS__RESOURCE_EXISTS: 'DO_NOTHING' },
    });
    const report = await createCsvSystem(db(), csv, {
      config: { sendDoNothingReport: true },
      situations: { IDM_NOT_EXISTS__RESOURCE_EXISTS: 'DO_NOTHING' },
    });
    const service = runServiceFor(db());
    const a = await runToEnd(service, db(), { configId: quiet.configId });
    const b = await runToEnd(service, db(), { configId: report.configId });
    expect(a.counts.responses).toEqual({ DO_NOTHING: 1 });
    expect(b.counts.responses).toEqual({ DO_NOTHING: 1 });
    expect(await eventsOf(db(), a.id)).toEqual([]);
    expect((await eventsOf(db(), b.id)).map((e) => [e.object_key, e.outcome])).toEqual([['E1', 'recorded']]);
  });

  it('one run per config at a time, and runs older than the retention are pruned', async () => {
    const hr = await createCsvSystem(db(), 'employeeId,name,email\n');
    const [old] = await db()
      .orm.insert(runs)
      .values({
        configId: hr.configId,
        status: 'succeeded',
        createdAt: new Date(Date.now() - 91 * 86_400_000),
      })
      .returning();
    const [active] = await db()
      .orm.insert(runs)
      .values({ configId: hr.configId, status: 'running', owner: 'elsewhere:1', heartbeatAt: new Date() })
      .returning();
    const service = createRunService({
      db: db(),
      log: { info: () => {}, warn: () => {} },
      policies: null,
      openConnector: () => {
        throw new Error('not reached');
      },
      retentionDays: 90,
    });
    expect(
      await service.start({ configId: hr.configId, dryRun: false, mode: 'full', trigger: 'api' }),
    ).toEqual({
      outcome: 'already_running',
      runId: active?.id,
    });
    expect(await service.start({ configId: 'nope', dryRun: false, mode: 'full', trigger: 'api' })).toEqual({
      outcome: 'config_not_found',
    });
    const left = await db().orm.select({ id: runs.id }).from(runs).where(eq(runs.configId, hr.configId));
    expect(left.map((r) => r.id)).toEqual([active?.id]);
    expect(left.map((r) => r.id)).not.toContain(old?.id);
  });
});
