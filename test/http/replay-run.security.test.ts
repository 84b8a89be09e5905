import { sql } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../helpers/api.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { type ReplaySetup, setUpReplay, upperPopulation } from './replay-fixtures.ts';

describeEachDatabase('replaying a run and diffing two runs: security', (db) => {
  let api: TestApi;
  let setup: ReplaySetup;
  beforeAll(async () => {
    api = await createTestApi(db());
    setup = await setUpReplay(api);
  });
  const body = { policies: { 'hr/population.ts': upperPopulation } };

  it('a replay runs policy code: it needs an operator or admin token', async () => {
    const path = `/api/runs/${setup.dryRunIds[1]}/replay`;
    expect((await api.request('POST', path, { role: null, body })).status).toBe(401);
    expect((await api.request('POST', path, { role: 'viewer', body })).status).toBe(403);
    expect((await api.request('POST', path, { role: 'operator', body })).status).toBe(200);
  });

  it('a diff is for readers: no token is 401, a viewer may', async () => {
    const [first, last] = setup.dryRunIds;
    const path = `/api/runs/${last}/diff?against=${first}`;
    expect((await api.request('GET', path, { role: null })).status).toBe(401);
    expect((await api.request('GET', path, { role: 'viewer' })).status).toBe(200);
  });

  it('treats injection in the ids as ids that match nothing', async () => {
    for (const id of ["' or 1=1 --", `${setup.dryRunIds[0]}' or '1'='1`, '%']) {
      const encoded = encodeURIComponent(id);
      expect((await api.request('POST', `/api/runs/${encoded}/replay`, { body })).status, id).toBe(404);
      expect(
        (await api.request('GET', `/api/runs/${setup.dryRunIds[0]}/diff?against=${encoded}`)).status,
        id,
      ).toBe(404);
    }
  });

  it('a policy that tries to reach the host stays in the sandbox and changes nothing', async () => {
    const hostile = `import { definePopulation } from 'trueup:policy';
export default definePopulation(() => { (globalThis as any).process.exit(1); return {}; });`;
    const [before] = await db().rows(
      sql`select (select count(*) from runs)::int as runs, (select count(*) from idm_objects)::int as idm`,
    );
    const res = await api.request('POST', `/api/runs/${setup.dryRunIds[1]}/replay`, {
      body: { policies: { 'hr/population.ts': hostile } },
    });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { failed: number; counts: { errors: number } };
    expect([answer.failed, answer.counts.errors]).toEqual([3, 3]);
    const [after] = await db().rows(
      sql`select (select count(*) from runs)::int as runs, (select count(*) from idm_objects)::int as idm`,
    );
    expect(after).toEqual(before);
  });
});
