import { writeFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { beforeAll, beforeEach, expect, it } from 'vitest';
import type { Dispute } from '../../server/services/disputes.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { addIdmUser, clearIdm, createCsvSystem } from '../runs/recon-fixture.ts';
import { createReviewApi, eventRows, type ReviewApi } from './review-fixture.ts';

// Correlated by email: two IDM users share ann@x, so the account is DISPUTED.
const csv = 'employeeId,name,email\nA1,Ann,ann@x\nA2,Bob,bob@x\n';
const config = { sourceAttributeName: 'email', idmField: 'email' };
const situations = { IDM_EXISTS__RESOURCE_EXISTS: 'DO_NOTHING', DISPUTED: 'DO_NOTHING' } as const;

describeEachDatabase('disputes', (db) => {
  let api: ReviewApi;
  let first: string;
  let second: string;
  beforeAll(async () => {
    api = await createReviewApi(db());
  });
  beforeEach(async () => {
    await clearIdm(db());
    first = await addIdmUser(db(), 'E1', { email: 'ann@x', name: 'Ann First' });
    second = await addIdmUser(db(), 'E2', { email: 'ann@x', name: 'Ann Second' });
    await addIdmUser(db(), 'E3', { email: 'bob@x' });
  });

  const list = async (query: string) => {
    const response = await api.request('GET', `/api/disputes?${query}`, { role: 'viewer' });
    expect(response.status).toBe(200);
    return ((await response.json()) as { items: Dispute[] }).items;
  };

  it('a dispute resolved through the API becomes a link the next run sees', async () => {
    const app = await createCsvSystem(db(), csv, { trusted: false, config, situations });
    expect((await api.run(app.configId, { dryRun: true })).counts.situations.DISPUTED).toBe(1);
    expect(await list(`configId=${app.configId}`)).toEqual([]);

    const run = await api.run(app.configId);
    expect(run.counts.situations.DISPUTED).toBe(1);
    const [dispute] = await list(`configId=${app.configId}&status=open`);
    expect(dispute).toMatchObject({
      runId: run.id,
      objectKey: 'A1',
      status: 'open',
      account: { name: 'Ann' },
    });
    expect(dispute?.candidates.map((c) => c.idmObjectId).sort()).toEqual([first, second].sort());
    expect(dispute?.candidates.find((c) => c.idmObjectId === first)?.attributes).toMatchObject({
      name: 'Ann First',
    });

    expect(await api.services.disputes.get(dispute?.id as string)).toEqual(dispute);
    expect(await api.services.disputes.get('00000000-0000-0000-0000-000000000000')).toBeNull();

    // A second run updates the same dispute rather than adding another.
    const rerun = await api.run(app.configId);
    const open = await list(`configId=${app.configId}`);
    expect(open.length).toBe(1);
    expect(open[0]?.runId).toBe(rerun.id);

    const path = `/api/disputes/${dispute?.id}/resolve`;
    expect((await api.request('POST', path, { role: 'viewer', body: { idmObjectId: second } })).status).toBe(
      403,
    );
    const notCandidate = await api.asOperator('POST', path, { idmObjectId: 'nobody' });
    expect(notCandidate.status).toBe(400);
    const resolved = await api.asOperator('POST', path, { idmObjectId: second });
    expect(resolved.status).toBe(200);
    expect(await resolved.json()).toMatchObject({
      status: 'resolved',
      idmObjectId: second,
      decidedBy: 'test-operator',
    });
    expect((await api.asOperator('POST', path, { dismiss: true })).status).toBe(409);

    const decision = (await eventRows(db(), rerun.id)).at(-1);
    expect(decision).toMatchObject({
      object_key: 'A1',
      idm_object_id: second,
      response: 'LINKED_BY_PERSON',
      outcome: 'applied',
      policy_output: { decidedBy: 'test-operator' },
    });

    const next = await api.run(app.configId, { keys: ['A1'] });
    expect(next.counts.situations).toEqual({ IDM_EXISTS__RESOURCE_EXISTS: 1 });
    const [link] = await db().rows<{ idm_object_id: string }>(
      sql`select idm_object_id from links where account_key = 'A1'`,
    );
    expect(link?.idm_object_id).toBe(second);
  });

  it('a dismissed dispute stays closed until its candidates change', async () => {
    const app = await createCsvSystem(db(), csv, { trusted: false, config, situations });
    const run = await api.run(app.configId);
    const [dispute] = await list(`configId=${app.configId}`);
    const dismissed = await api.request('POST', `/api/disputes/${dispute?.id}/resolve`, {
      body: { dismiss: true },
    });
    expect(dismissed.status).toBe(200);
    expect(await dismissed.json()).toMatchObject({
      status: 'dismissed',
      decidedBy: 'test-admin',
      idmObjectId: null,
    });
    expect((await eventRows(db(), run.id)).at(-1)).toMatchObject({
      response: 'DISMISSED',
      outcome: 'recorded',
    });

    await api.run(app.configId);
    expect((await list(`configId=${app.configId}`)).map((d) => d.status)).toEqual(['dismissed']);

    await addIdmUser(db(), 'E4', { email: 'ann@x' });
    writeFileSync(app.file, csv);
    await api.run(app.configId);
    const [reopened] = await list(`configId=${app.configId}`);
    expect(reopened).toMatchObject({ status: 'open', decidedBy: null });
    expect(reopened?.candidates.length).toBe(3);
    expect((await list(`configId=${app.configId}&status=dismissed`)).length).toBe(0);
  });

  it.each([
    ['a rule without score: a tie is DISPUTED, not a failed run', '', null],
    ['a rule whose scores tie: DISPUTED, with the scores kept', 'score: () => 70,', 70],
  ])('%s', async (_, score, expected) => {
    const path = `test/match-by-email-${expected ?? 'none'}.ts`;
    const source = `import { defineMatchingRule } from 'trueup:policy';
export default defineMatchingRule({
  accountKeys: (account) => [String(account.attributes.email)],
  idmKeys: (user) => [String(user.attributes.email)],
  ${score}
});
`;
    expect((await api.request('POST', '/api/policies', { body: { path, source } })).status).toBe(201);
    const app = await createCsvSystem(db(), csv, {
      trusted: false,
      config: { sourceAttributeName: null, idmField: null, matchingPolicy: path },
      situations,
    });
    const run = await api.run(app.configId);
    expect(run.status).toBe('succeeded');
    expect(run.counts.situations.DISPUTED).toBe(1);
    const [dispute] = await list(`configId=${app.configId}`);
    expect(dispute?.candidates.map((c) => c.score)).toEqual([expected, expected]);
    const [event] = (await eventRows(db(), run.id)).filter((e) => e.situation === 'DISPUTED');
    const output = event?.policy_output as { dispute: { scores?: unknown } } | undefined;
    const scores = expected === null ? undefined : { [first]: expected, [second]: expected };
    expect(output?.dispute.scores).toEqual(scores);
  });

  it('a rule whose scores pick one candidate links it, and the event keeps every score', async () => {
    const path = 'test/match-by-email-scored.ts';
    const source = `import { defineMatchingRule } from 'trueup:policy';
export default defineMatchingRule({
  accountKeys: (account) => [String(account.attributes.email)],
  idmKeys: (user) => [String(user.attributes.email)],
  score: (account, candidate) => (candidate.attributes.name === 'Ann Second' ? 90 : 40),
});
`;
    expect((await api.request('POST', '/api/policies', { body: { path, source } })).status).toBe(201);
    const app = await createCsvSystem(db(), csv, {
      trusted: false,
      config: { sourceAttributeName: null, idmField: null, matchingPolicy: path },
      situations: { ...situations, IDM_EXISTS__RESOURCE_EXISTS: 'UPDATE_RESOURCE_FROM_IDM' },
    });
    const run = await api.run(app.configId);
    expect(run.counts.situations).toMatchObject({ IDM_EXISTS__RESOURCE_EXISTS: 2 });
    const events = await eventRows(db(), run.id);
    const ann = events.find((e) => e.object_key === 'A1');
    expect(ann?.idm_object_id).toBe(second);
    expect((ann?.policy_output as { scores: unknown } | undefined)?.scores).toEqual({
      [first]: 40,
      [second]: 90,
    });
  });

  it('refuses a bad decision with a 400, and an unknown dispute with a 404', async () => {
    expect(
      (await api.request('POST', '/api/disputes/nope/resolve', { body: { dismiss: true } })).status,
    ).toBe(404);
    for (const body of [{}, { dismiss: false }, { idmObjectId: '' }, { idmObjectId: 'x', dismiss: true }]) {
      expect((await api.request('POST', '/api/disputes/nope/resolve', { body })).status).toBe(400);
    }
    expect((await api.request('GET', '/api/disputes?status=closed')).status).toBe(400);
  });
});
