import { beforeAll, expect, it } from 'vitest';
import type { ErrorBody } from '../../server/http/errors.ts';
import { createTestApi, type TestApi } from '../helpers/api.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { type ReplaySetup, setUpReplay, upperPopulation } from './replay-fixtures.ts';
import { type SeededRuns, seedRuns } from './run-fixtures.ts';

describeEachDatabase('replaying a run and diffing two runs: errors', (db) => {
  let api: TestApi;
  let setup: ReplaySetup;
  let seeded: SeededRuns;
  beforeAll(async () => {
    api = await createTestApi(db());
    setup = await setUpReplay(api);
    seeded = await seedRuns(db());
  });
  const replay = async (runId: string, body: unknown) => {
    const res = await api.request('POST', `/api/runs/${runId}/replay`, { body });
    return { status: res.status, error: ((await res.json()) as ErrorBody).error };
  };
  const policies = { 'hr/population.ts': upperPopulation };

  it('answers 404 for an unknown run', async () => {
    const { status, error } = await replay('no-such-run', { policies });
    expect([status, error.message]).toEqual([404, 'no run with id "no-such-run"']);
  });

  it('answers 409 for a run that kept no snapshot, saying why', async () => {
    const { status, error } = await replay(seeded.runIds[0]!, { policies });
    expect(status).toBe(409);
    expect(error.message).toMatch(/kept no snapshot to replay/);
    expect(error.details).toMatchObject({ reason: 'no_snapshot' });
  });

  it('answers 422 with the diagnostics for a source that does not compile', async () => {
    const { status, error } = await replay(setup.dryRunIds[1]!, {
      policies: { 'hr/population.ts': 'export default 1 +;' },
    });
    expect(status).toBe(422);
    expect(error.message).toBe(
      'hr/population.ts does not compile: hr/population.ts:1:19: error [compile]: Unexpected ";"',
    );
    expect((error.details as { diagnostics: Array<{ line: number }> }).diagnostics[0]?.line).toBe(1);
  });

  it('answers 400 naming the field for no policies, a bad path, a bad body or a bad limit', async () => {
    expect(await replay(setup.dryRunIds[1]!, { policies: {} })).toMatchObject({
      status: 400,
      error: { message: 'policies: name at least one policy path with its new source' },
    });
    const badPath = await replay(setup.dryRunIds[1]!, { policies: { '../etc/passwd.ts': 'x' } });
    expect([badPath.status, badPath.error.message.startsWith('policies.../etc/passwd.ts: ')]).toEqual([
      400,
      true,
    ]);
    expect((await replay(setup.dryRunIds[1]!, { policy: {} })).status).toBe(400);
    expect((await replay(setup.dryRunIds[1]!, 'not json')).status).toBe(400);
    const res = await api.request('POST', `/api/runs/${setup.dryRunIds[1]}/replay?limit=0`, {
      body: { policies },
    });
    expect(res.status).toBe(400);
  });

  it('answers 422 when the replayed plan cannot be made, and leaves no scratch run', async () => {
    const throwing = `import { defineIdmQuery } from 'trueup:policy';
export default defineIdmQuery(() => { throw new Error('broken query'); });`;
    await api.json('POST', '/api/policies', { path: 'hr/query.ts', source: throwing });
    await api.json('PATCH', `/api/recon-configs/${setup.configId}`, { idmQueryPolicy: 'hr/query.ts' });
    const { status, error } = await replay(setup.dryRunIds[1]!, { policies });
    expect(status).toBe(422);
    expect(error.message).toMatch(/^the replay could not plan: .*broken query/);
    await api.json('PATCH', `/api/recon-configs/${setup.configId}`, { idmQueryPolicy: null });
  });

  it('diff: 404 names the missing run, 409 for runs of two configs, 400 without against', async () => {
    const [first] = setup.dryRunIds;
    const missing = await api.request('GET', `/api/runs/${first}/diff?against=nope`);
    expect([missing.status, ((await missing.json()) as ErrorBody).error.message]).toEqual([
      404,
      'no run with id "nope"',
    ]);
    const other = await api.request('GET', `/api/runs/${first}/diff?against=${seeded.runIds[0]}`);
    expect(other.status).toBe(409);
    expect(((await other.json()) as ErrorBody).error.details).toMatchObject({ reason: 'different_configs' });
    expect((await api.request('GET', `/api/runs/${first}/diff`)).status).toBe(400);
  });
});
