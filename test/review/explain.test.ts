import { sql } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import type { ExplainEventResponse } from '../../server/http/routes/runs/explain-event.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { addIdmUser, clearIdm, createCsvSystem } from '../runs/recon-fixture.ts';
import { createReviewApi, type ReviewApi } from './review-fixture.ts';

// Both IDM users share ann@x and the rule scores them the same: no clear winner.
const tiedRule = `import { defineMatchingRule } from 'trueup:policy';
const mail = (v: unknown) => (typeof v === 'string' ? v.trim().toLowerCase() : '');
export default defineMatchingRule({
  accountKeys: (account) => [mail(account.attributes.email)].filter(Boolean),
  idmKeys: (user) => [mail(user.attributes.email)].filter(Boolean),
  score: (_account, candidate) => (String(candidate.attributes.name).startsWith('Ann') ? 70 : 5),
});`;

describeEachDatabase('explain a decision', (db) => {
  let api: ReviewApi;
  beforeAll(async () => {
    api = await createReviewApi(db());
    const saved = await api.request('POST', '/api/policies', {
      body: { path: 'test/tied.ts', source: tiedRule },
    });
    expect(saved.status, await saved.clone().text()).toBe(201);
  });

  const explain = async (runId: string, objectKey: string) => {
    const [row] = await db().rows<{ id: number }>(
      sql`select id from run_events where run_id = ${runId} and object_key = ${objectKey}`,
    );
    const response = await api.request('GET', `/api/runs/${runId}/events/${row?.id}/explain`, {
      role: 'viewer',
    });
    expect(response.status, await response.clone().text()).toBe(200);
    return (await response.json()) as ExplainEventResponse;
  };

  it('a DISPUTED event lists both candidates with their scores, the rule and its version, and the table row', async () => {
    await clearIdm(db());
    const first = await addIdmUser(db(), 'E1', { email: 'ann@x', name: 'Ann First' });
    const second = await addIdmUser(db(), 'E2', { email: 'ann@x', name: 'Ann Second' });
    const app = await createCsvSystem(db(), 'employeeId,name,email\nA1,Ann,ann@x\n', {
      trusted: false,
      config: { sourceAttributeName: null, idmField: null, matchingPolicy: 'test/tied.ts' },
      situations: { DISPUTED: 'DO_NOTHING', IDM_EXISTS__RESOURCE_NOT_EXISTS: 'DO_NOTHING' },
    });
    const run = await api.run(app.configId);
    expect(run.counts.situations.DISPUTED).toBe(1);
    const why = await explain(run.id, 'A1');
    expect(why.situation).toBe('DISPUTED');
    expect(why.rule).toMatchObject({ situation: 'DISPUTED', response: 'DO_NOTHING' });
    expect(why.correlation.via).toBeNull();
    expect(why.correlation.summary).toBe('2 IDM objects matched and none won clearly: a person decides');
    expect(why.correlation.ruleKeys).toEqual(['ann@x']);
    expect(why.correlation.candidates.sort((a, b) => a.idmObjectId.localeCompare(b.idmObjectId))).toEqual(
      [
        { idmObjectId: first, name: 'Ann First', score: 70, chosen: false },
        { idmObjectId: second, name: 'Ann Second', score: 70, chosen: false },
      ].sort((a, b) => a.idmObjectId.localeCompare(b.idmObjectId)),
    );
    const [policy] = (
      await api.json<{ items: Array<{ path: string; hash: string }> }>('GET', '/api/policies')
    ).items.filter((p) => p.path === 'test/tied.ts');
    expect(why.correlation.matchingRule).toEqual({ path: 'test/tied.ts', hash: policy?.hash });
    expect(why.policies).toEqual([
      {
        role: 'matchingRule',
        path: 'test/tied.ts',
        hash: policy?.hash,
        output: { [first]: 70, [second]: 70 },
      },
    ]);
    expect(why.gates.map((g) => [g.gate, g.result])).toEqual([
      ['sourceGuard', 'passed'],
      ['deletionThreshold', 'passed'],
    ]);
    expect(why.configRecorded).toBe(true);
  });

  it('a recon-key match shows the key value, the direction and confidence of each attribute it wrote', async () => {
    await clearIdm(db());
    const ann = await addIdmUser(db(), 'E7', { email: 'old@x', name: 'Ann' });
    const hr = await createCsvSystem(db(), 'employeeId,name,email\nE7,Ann,new@x\n', {
      config: { attributeSync: { email: { direction: 'toIdm', confidence: 80 } } },
      situations: { IDM_EXISTS__RESOURCE_EXISTS: 'UPDATE_IDM_FROM_RESOURCE' },
    });
    const run = await api.run(hr.configId);
    const why = await explain(run.id, 'E7');
    expect(why.correlation).toMatchObject({
      via: 'reconKey',
      reconKey: { accountAttribute: 'employeeId', idmAttribute: 'employeeId', value: 'E7' },
      ruleKeys: null,
      candidates: [{ idmObjectId: ann, chosen: true, score: null }],
    });
    expect(why.rule).toMatchObject({
      situation: 'IDM_EXISTS__RESOURCE_EXISTS',
      response: 'UPDATE_IDM_FROM_RESOURCE',
    });
    expect(why.attributes).toContainEqual({
      name: 'email',
      before: 'old@x',
      after: 'new@x',
      direction: 'toIdm',
      confidence: 80,
      decision: 'written',
    });
    expect(why.outcome).toBe('applied');
  });
});
