import { createHmac } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import type { Database } from '../../server/db/client.ts';
import { liveChanges } from '../../server/db/schema/index.ts';
import { createTestApi, type TestApi } from '../helpers/api.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { addIdmUser, clearIdm, createCsvSystem, idmUsers } from '../runs/recon-fixture.ts';

const csv = 'employeeId,name,email\nE1,Ann Csv,ann@x\nE2,Bob Csv,bob@x\n';
const situations = {
  IDM_EXISTS__RESOURCE_EXISTS: 'UPDATE_IDM_FROM_RESOURCE',
  IDM_NOT_EXISTS__RESOURCE_EXISTS: 'ADD_TO_IDM',
  IDM_EXISTS__RESOURCE_NOT_EXISTS: 'DISABLE_IN_IDM',
} as const;
const secret = 'a-webhook-secret-of-some-length';

const sign = (body: string, key = secret) => `sha256=${createHmac('sha256', key).update(body).digest('hex')}`;

async function pendingRows(db: Database) {
  const [row] = await db.rows<{ n: number }>(sql`select count(*)::int as n from live_changes`);
  return row?.n ?? 0;
}

async function liveRuns(db: Database, configId: string) {
  return db.rows<{ id: string; status: string; mode: string; keys: string[] }>(
    sql`select id, status, mode, keys from runs where config_id = ${configId} and trigger = 'live' order by created_at`,
  );
}

/** Waits (without a time limit the test fails on) until `done` holds. */
async function until(done: () => Promise<boolean>, what: string, limitMs = 120_000) {
  const start = Date.now();
  while (!(await done())) {
    if (Date.now() - start > limitMs) throw new Error(`gave up waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describeEachDatabase('live changes over the webhook', (db) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await createTestApi(db());
  });
  beforeEach(async () => {
    await clearIdm(db());
    await db().orm.delete(liveChanges);
  });
  afterAll(async () => {
    await api.services.stopJobs();
    await api.services.runs.drain();
  });

  async function liveSystem() {
    const hr = await createCsvSystem(db(), csv, { situations });
    const patched = await api.request('PATCH', `/api/systems/${hr.systemId}`, {
      body: { liveChanges: { webhookSecret: secret } },
    });
    expect(patched.status, await patched.clone().text()).toBe(200);
    const view = (await patched.json()) as { liveChanges: unknown };
    expect(view.liveChanges).toEqual({ pollSeconds: null, webhookSecret: '********' });
    expect(JSON.stringify(view)).not.toContain(secret);
    return hr;
  }

  const post = (systemId: string, body: string, signature: string | null) =>
    api.request('POST', `/api/systems/${systemId}/changes`, {
      role: null,
      body,
      headers: signature ? { 'x-trueup-signature': signature } : {},
    });

  it('a signed upsert of one account becomes one live event', async () => {
    await addIdmUser(db(), 'E1', { name: 'Ann Old' });
    const hr = await liveSystem();
    const body = JSON.stringify({
      changes: [
        { key: 'E1', op: 'upsert', attributes: { employeeId: 'E1', name: 'Ann Live', email: 'a@x' } },
      ],
    });
    const started = Date.now();
    const response = await post(hr.systemId, body, sign(body));
    expect(response.status, await response.clone().text()).toBe(202);
    const answer = (await response.json()) as { runId: string; runIds: string[]; accepted: number };
    expect(answer).toMatchObject({ accepted: 1, runIds: [answer.runId] });
    let events: Array<{ object_key: string; situation: string; outcome: string }> = [];
    await until(async () => {
      events = await db().rows(
        sql`select object_key, situation, outcome from run_events where run_id = ${answer.runId}`,
      );
      return events.length > 0;
    }, 'the live event');
    console.log(`webhook POST → live event: ${Date.now() - started} ms (${db().kind})`);
    await api.services.runs.wait(answer.runId);
    events = await db().rows(
      sql`select object_key, situation, outcome from run_events where run_id = ${answer.runId}`,
    );
    expect(events).toEqual([
      { object_key: 'E1', situation: 'IDM_EXISTS__RESOURCE_EXISTS', outcome: 'applied' },
    ]);
    const runs = await liveRuns(db(), hr.configId);
    expect(runs).toEqual([{ id: answer.runId, status: 'succeeded', mode: 'live', keys: ['E1'] }]);
    // The change's attributes were used, not the file's.
    expect((await idmUsers(db())).map((u) => [u.employee_id, u.name])).toEqual([['E1', 'Ann Live']]);
    await until(
      async () =>
        (
          await db().rows<{ n: number }>(
            sql`select count(*)::int as n from live_changes where done_at is null`,
          )
        )[0]?.n === 0,
      'the change settled',
    );
  });

  it('a delete concludes about the linked IDM object; an upsert without attributes reads the system', async () => {
    await addIdmUser(db(), 'E1', { name: 'Ann Old' });
    await addIdmUser(db(), 'E2', { name: 'Bob Old' });
    const hr = await liveSystem();
    const body = JSON.stringify({ changes: [{ key: 'E2', op: 'upsert' }] });
    const first = (await (await post(hr.systemId, body, sign(body))).json()) as { runId: string };
    await api.services.runs.wait(first.runId);
    const del = JSON.stringify({ changes: [{ key: 'E2', op: 'delete' }] });
    await until(async () => (await liveRuns(db(), hr.configId)).every((r) => r.status !== 'running'), 'idle');
    const second = (await (await post(hr.systemId, del, sign(del))).json()) as { runId: string };
    await api.services.runs.wait(second.runId);
    const users = await idmUsers(db());
    expect(users.map((u) => [u.employee_id, u.name, u.status])).toEqual([
      ['E1', 'Ann Old', 'active'],
      ['E2', 'Bob Csv', 'disabled'],
    ]);
  });

  it('refuses an unsigned or wrongly signed body, and a system without a secret; nothing is stored', async () => {
    const hr = await liveSystem();
    const body = JSON.stringify({ changes: [{ key: 'E1', op: 'upsert' }] });
    for (const signature of [null, sign(body, 'another-secret-entirely'), 'sha256=zz', sign(`${body} `)]) {
      const response = await post(hr.systemId, body, signature);
      expect(response.status).toBe(401);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('UNAUTHORIZED');
    }
    const plain = await createCsvSystem(db(), csv, { situations, name: `plain-${Date.now()}` });
    expect((await post(plain.systemId, body, sign(body))).status).toBe(401);
    expect((await post('no-such-system', body, sign(body))).status).toBe(404);
    expect(await pendingRows(db())).toBe(0);
  });

  it('refuses a bad body with a 400 naming the problem; nothing is stored', async () => {
    const hr = await liveSystem();
    const many = (n: number) =>
      JSON.stringify({ changes: Array.from({ length: n }, (_, i) => ({ key: `K${i}`, op: 'upsert' })) });
    const cases: Array<[string, string]> = [
      ['{not json', 'not valid JSON'],
      [JSON.stringify({ changes: [] }), '1 to 1000'],
      [many(1001), '1 to 1000'],
      [JSON.stringify({ changes: [{ key: 'E1', op: 'rename' }] }), 'changes.0.op'],
      [JSON.stringify({ changes: [{ key: '', op: 'upsert' }] }), 'changes.0.key'],
      [JSON.stringify({ changes: [{ key: 'E1', op: 'upsert', extra: 1 }] }), 'changes.0'],
    ];
    for (const [body, problem] of cases) {
      const response = await post(hr.systemId, body, sign(body));
      expect(response.status, body.slice(0, 60)).toBe(400);
      expect(((await response.json()) as { error: { message: string } }).error.message).toContain(problem);
    }
    expect(await pendingRows(db())).toBe(0);
  });

  it('rejects a liveChanges setting out of range', async () => {
    const hr = await createCsvSystem(db(), csv, { situations, name: `range-${Date.now()}` });
    for (const liveChanges of [{ webhookSecret: 'short' }, { pollSeconds: 0 }, { pollSeconds: 1.5 }]) {
      const response = await api.request('PATCH', `/api/systems/${hr.systemId}`, { body: { liveChanges } });
      expect(response.status).toBe(400);
    }
  });

  it('coalesces a burst of 10,000 changes into a few live runs, processing every key', async () => {
    const hr = await liveSystem();
    const started = Date.now();
    for (let batch = 0; batch < 10; batch++) {
      const changes = Array.from({ length: 1000 }, (_, i) => {
        const key = `B${batch * 1000 + i}`;
        return {
          key,
          op: 'upsert',
          attributes: { employeeId: key, name: `Burst ${key}`, email: `${key}@x` },
        };
      });
      const body = JSON.stringify({ changes });
      const response = await post(hr.systemId, body, sign(body));
      expect(response.status).toBe(202);
    }
    await until(async () => {
      const [row] = await db().rows<{ n: number }>(
        sql`select count(*)::int as n from live_changes where done_at is null`,
      );
      const runs = await liveRuns(db(), hr.configId);
      return row?.n === 0 && runs.every((r) => r.status !== 'running');
    }, 'the burst processed');
    const runs = await liveRuns(db(), hr.configId);
    console.log(
      `10,000 webhook changes: ${runs.length} live runs, ${Date.now() - started} ms (${db().kind})`,
    );
    expect(runs.length).toBeLessThan(20);
    expect(runs.every((r) => r.status === 'succeeded' && r.mode === 'live')).toBe(true);
    const [added] = await db().rows<{ n: number }>(
      sql`select count(distinct object_key)::int as n from run_events e join runs r on r.id = e.run_id
          where r.config_id = ${hr.configId} and r.trigger = 'live' and e.outcome = 'applied'`,
    );
    expect(added?.n).toBe(10_000);
    expect((await idmUsers(db())).length).toBe(10_000);
  });

  it('changes that arrive while a run of the config is going wait for it', async () => {
    const hr = await liveSystem();
    // A run of another server instance is going (its heartbeat is fresh, so nobody resumes it).
    const [other] = await db().rows<{ id: string }>(
      sql`insert into runs (config_id, status, started_at, heartbeat_at, owner)
          values (${hr.configId}, 'running', now(), now(), 'another-host:1') returning id`,
    );
    const sweeping = await createTestApi(db(), { LIVE_SWEEP_MS: '50' });
    sweeping.services.startJobs();
    try {
      const body = JSON.stringify({
        changes: [
          { key: 'E1', op: 'upsert', attributes: { employeeId: 'E1', name: 'Ann Waited', email: 'a@x' } },
        ],
      });
      const response = await post(hr.systemId, body, sign(body));
      expect(response.status).toBe(202);
      expect(((await response.json()) as { runId: string | null }).runId).toBeNull();
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await liveRuns(db(), hr.configId)).toEqual([]);
      expect(await pendingRows(db())).toBe(1);
      await db().rows(sql`update runs set status = 'succeeded', finished_at = now() where id = ${other?.id}`);
      await until(
        async () => (await liveRuns(db(), hr.configId)).some((r) => r.status === 'succeeded'),
        'after it',
      );
      expect((await idmUsers(db())).map((u) => [u.employee_id, u.name])).toEqual([['E1', 'Ann Waited']]);
    } finally {
      await sweeping.services.stopJobs();
      await sweeping.services.runs.drain();
    }
  });

  it('changes stored while no live run may start are processed by the sweep of the next services', async () => {
    const hr = await liveSystem();
    // The first services are closing: they store the change but start no run.
    await api.services.stopJobs();
    const body = JSON.stringify({
      changes: [
        { key: 'E2', op: 'upsert', attributes: { employeeId: 'E2', name: 'Bob Later', email: 'b@x' } },
      ],
    });
    const response = await post(hr.systemId, body, sign(body));
    expect(((await response.json()) as { runId: string | null }).runId).toBeNull();
    expect(await pendingRows(db())).toBe(1);
    const next = await createTestApi(db(), { LIVE_SWEEP_MS: '100' });
    next.services.startJobs();
    try {
      await until(
        async () => (await liveRuns(db(), hr.configId)).some((r) => r.status === 'succeeded'),
        'resumed',
      );
      const users = await idmUsers(db());
      expect(users.find((u) => u.employee_id === 'E2')?.name).toBe('Bob Later');
    } finally {
      await next.services.stopJobs();
      await next.services.runs.drain();
      api = next;
    }
  });
});
