import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ReconConfigResponse } from '../../server/http/routes/recon-configs/config-response.ts';
import type { GetEventResponse } from '../../server/http/routes/runs/get-event.ts';
import type { GetRunResponse } from '../../server/http/routes/runs/get-run.ts';
import type { ListEventsResponse } from '../../server/http/routes/runs/list-events.ts';
import type { StartRunResponse } from '../../server/http/routes/runs/start-run.ts';
import type { SystemResponse } from '../../server/http/routes/systems/system-schema.ts';
import { createTestApi, type TestApi } from '../helpers/api.ts';
import { describeEachDatabase } from '../helpers/databases.ts';

/**
 * The sandbox's controls in real runs, through the API: fresh policy state per run and per test
 * request, policy log lines in the events with their file:line, pinned policy versions on the
 * run, and the run's CPU budget.
 */
const sources: Record<string, string> = {
  // Line 6 logs; `calls` would count on across runs if module state survived.
  'ctl/remember.ts': `import { definePopulation, log } from 'trueup:policy';
let calls = 0;
export default definePopulation(({ account }) => {
  calls++;
  (globalThis as any).total = ((globalThis as any).total ?? 0) + 1;
  log.info(\`\${account.key} is call \${calls}\`);
  return { name: String(account.attributes.name), calls: String(calls), total: String((globalThis as any).total) };
});
`,
  'ctl/pre-log.ts': `import { definePreProcessor, log } from 'trueup:policy';
export default definePreProcessor(({ mode }) => {
  log.warn(\`starting a \${mode} run\`);
  return { vars: { tier: 'gold' } };
});
`,
  // Some 30M additions per record: far more CPU than a 100 ms budget allows for five records.
  'ctl/burn.ts': `import { definePopulation } from 'trueup:policy';
export default definePopulation(({ account }) => {
  let x = 0;
  for (let i = 0; i < 30_000_000; i++) x = (x + i) % 1_000_003;
  return { name: account.key + x };
});
`,
};
const csv = `employeeId,name\n${['E1', 'E2', 'E3', 'E4', 'E5'].map((k) => `${k},Name ${k}`).join('\n')}\n`;

async function setUp(api: TestApi, populationPolicy: string, preProcessorPolicy?: string) {
  for (const [policyPath, source] of Object.entries(sources)) {
    const saved = await api.request('POST', '/api/policies', { body: { path: policyPath, source } });
    expect(saved.status).toBe(201);
  }
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'trueup-ctl-')), 'hr.csv');
  writeFileSync(file, csv);
  const system = (await (
    await api.request('POST', '/api/systems', {
      body: {
        name: `HR ${Math.random()}`,
        type: 'csv',
        trusted: true,
        uniqueFieldKey: 'employeeId',
        connection: { path: file },
      },
    })
  ).json()) as SystemResponse;
  return (await (
    await api.request('POST', `/api/systems/${system.id}/recon-configs`, {
      body: {
        objectType: 'User',
        sourceAttributeName: 'employeeId',
        idmField: 'employeeId',
        ...(preProcessorPolicy ? { preProcessorPolicy } : {}),
        situations: { IDM_NOT_EXISTS__RESOURCE_EXISTS: { response: 'ADD_TO_IDM', populationPolicy } },
      },
    })
  ).json()) as ReconConfigResponse;
}

async function dryRun(api: TestApi, configId: string): Promise<GetRunResponse> {
  const started = await api.request('POST', `/api/recon-configs/${configId}/runs`, {
    body: { dryRun: true },
  });
  expect(started.status).toBe(202);
  const { runId } = (await started.json()) as StartRunResponse;
  await api.services.runs.wait(runId);
  return (await (await api.request('GET', `/api/runs/${runId}`)).json()) as GetRunResponse;
}

async function eventDetails(api: TestApi, runId: string): Promise<GetEventResponse[]> {
  const list = (await (await api.request('GET', `/api/runs/${runId}/events`)).json()) as ListEventsResponse;
  return Promise.all(
    list.items.map(
      async (e) =>
        (await (await api.request('GET', `/api/runs/${runId}/events/${e.id}`)).json()) as GetEventResponse,
    ),
  );
}

describeEachDatabase('sandbox controls in real runs', (db) => {
  let api: TestApi;
  let config: ReconConfigResponse;
  beforeAll(async () => {
    api = await createTestApi(db());
    config = await setUp(api, 'ctl/remember.ts', 'ctl/pre-log.ts');
  });
  afterAll(() => api.services.policyRunner.close());

  it('gives a policy that remembers values a fresh start in each run and each test request', async () => {
    for (let i = 0; i < 2; i++) {
      const run = await dryRun(api, config.id);
      expect(run.status).toBe('succeeded');
      const outputs = (await eventDetails(api, run.id))
        .filter((e) => e.seq >= 0)
        .map((e) => [e.objectKey, (e.policyOutput as { population: Record<string, string> }).population]);
      expect(outputs).toEqual(
        ['E1', 'E2', 'E3', 'E4', 'E5'].map((key, n) => [
          key,
          { name: `Name ${key}`, calls: String(n + 1), total: String(n + 1) },
        ]),
      );
    }
    for (let i = 0; i < 2; i++) {
      const tested = await api.request('POST', '/api/policies/test', {
        body: { path: 'ctl/remember.ts', input: { account: { key: 'T1', attributes: { name: 'Tess' } } } },
      });
      expect(tested.status).toBe(200);
      expect(((await tested.json()) as { output: unknown }).output).toEqual({
        name: 'Tess',
        calls: '1',
        total: '1',
      });
    }
  });

  it("puts each log line in its object's event, a per-run call's in the run-level event, with file:line", async () => {
    const run = await dryRun(api, config.id);
    const details = await eventDetails(api, run.id);
    const runLevel = details.find((e) => e.seq === -1);
    expect(runLevel).toMatchObject({ objectKey: null, situation: null, outcome: 'recorded' });
    expect(runLevel?.logs).toEqual([
      {
        policy: 'ctl/pre-log.ts',
        file: 'ctl/pre-log.ts',
        line: 3,
        column: 7,
        level: 'warn',
        message: 'starting a full run',
      },
    ]);
    const e2 = details.find((e) => e.objectKey === 'E2');
    expect(e2?.logs).toEqual([
      {
        policy: 'ctl/remember.ts',
        file: 'ctl/remember.ts',
        line: 6,
        column: 7,
        level: 'info',
        message: 'E2 is call 2',
      },
    ]);
  });

  it('records the policy versions a run uses; a version saved during a run does not change it', async () => {
    const listed = (await (await api.request('GET', '/api/policies')).json()) as {
      items: Array<{ path: string; hash: string }>;
    };
    const hashOf = (p: string) => listed.items.find((item) => item.path === p)?.hash;
    const run = await dryRun(api, config.id);
    expect([...run.policies].sort((a, b) => a.path.localeCompare(b.path))).toEqual([
      { path: 'ctl/pre-log.ts', hash: hashOf('ctl/pre-log.ts') },
      { path: 'ctl/remember.ts', hash: hashOf('ctl/remember.ts') },
    ]);

    const session = await api.services.policyRunner.forRun({ runId: run.id, paths: ['ctl/remember.ts'] });
    const changed = sources['ctl/remember.ts']!.replace('String(account.attributes.name)', "'changed'");
    await api.request('POST', '/api/policies', { body: { path: 'ctl/remember.ts', source: changed } });
    const input = {
      situation: 'IDM_NOT_EXISTS__RESOURCE_EXISTS' as const,
      account: { key: 'P1', attributes: { name: 'Pinned' } },
      idmObject: null,
      system: { id: 's', name: 'HR', type: 'csv' as const, trusted: true, uniqueFieldKey: 'employeeId' },
      vars: {},
    };
    const [inRun] = await session.call('ctl/remember.ts', 'population', 'default', [input]);
    const [now] = await api.services.policyRunner.call('ctl/remember.ts', 'population', 'default', [input]);
    await session.finish();
    expect(session.pinned).toEqual([{ path: 'ctl/remember.ts', hash: hashOf('ctl/remember.ts') }]);
    expect(inRun).toMatchObject({ ok: true, value: { name: 'Pinned' } });
    expect(now).toMatchObject({ ok: true, value: { name: 'changed' } });
  });
});

describeEachDatabase("a run's policy CPU budget", (db) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await createTestApi(db(), { SANDBOX_RUN_CPU_MS: '100', SANDBOX_TIMEOUT_MS: '120000' });
  });
  afterAll(() => api.services.policyRunner.close());

  it('fails the run with a policy_error naming the policy once its policies spent the budget', async () => {
    const config = await setUp(api, 'ctl/burn.ts');
    const run = await dryRun(api, config.id);
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({
      code: 'policy_error',
      message: expect.stringMatching(/^ctl\/burn\.ts: budget error: the run's policy CPU budget of 100 ms/),
      details: { kind: 'budget', policy: 'ctl/burn.ts' },
    });
    // It failed while planning: its stage is gone with it.
    const [left] = await db().rows<{ n: number }>(
      sql`select (select count(*) from run_accounts where run_id = ${run.id})
        + (select count(*) from run_seen where run_id = ${run.id})
        + (select count(*) from idm_key_kinds where kind like ${`run:${run.id}:%`})::int as n`,
    );
    expect(Number(left?.n)).toBe(0);
  });
});
