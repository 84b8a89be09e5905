import { beforeAll, expect, it } from 'vitest';
import { runs } from '../../server/db/schema/index.ts';
import type { ErrorBody } from '../../server/http/errors.ts';
import type { ExplainEventResponse } from '../../server/http/routes/runs/explain-event.ts';
import { createTestApi, type TestApi } from '../helpers/api.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { insertActiveRun, type SeededRuns, seedRuns } from './run-fixtures.ts';

describeEachDatabase('undo and explain: errors', (db) => {
  let api: TestApi;
  let seeded: SeededRuns;
  let running: string;
  beforeAll(async () => {
    api = await createTestApi(db());
    seeded = await seedRuns(db());
    running = await insertActiveRun(db(), seeded.otherConfigId, 'running');
  });

  const refusal = async (runId: string) => {
    const res = await api.request('POST', `/api/runs/${runId}/undo`);
    return { status: res.status, body: ((await res.json()) as ErrorBody).error };
  };

  it('answers 404 for an unknown run and 400 for a too-long id', async () => {
    expect(await refusal('no-such-run')).toMatchObject({
      status: 404,
      body: { message: 'no run with id "no-such-run"' },
    });
    expect((await api.request('POST', `/api/runs/${'x'.repeat(201)}/undo`)).status).toBe(400);
  });

  it('answers 409 with the reason for a dry run, a run still going, and a run that applied nothing', async () => {
    expect(await refusal(seeded.runIds[1]!)).toEqual({
      status: 409,
      body: expect.objectContaining({
        message: `run ${seeded.runIds[1]} cannot be undone: a dry run wrote nothing`,
        details: { reason: 'not_undoable', status: 'succeeded' },
      }),
    });
    expect((await refusal(running)).body.message).toBe(
      `run ${running} cannot be undone: the run is running: undo it once it has ended`,
    );
    expect((await refusal(seeded.runIds[0]!)).body.message).toBe(
      `run ${seeded.runIds[0]} cannot be undone: the run applied no action`,
    );
    const planned = await db().orm.select({ id: runs.id }).from(runs);
    expect(planned.length).toBe(7);
  });

  it('explain answers 404 for an unknown event, one of another run, and an id that is not a number', async () => {
    const res = await api.request('GET', `/api/runs/${seeded.eventRunId}/events/999999999/explain`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as ErrorBody).error.message).toBe(
      `no event "999999999" in run "${seeded.eventRunId}"`,
    );
    const list = await api.json<{ items: Array<{ id: string }> }>(
      'GET',
      `/api/runs/${seeded.eventRunId}/events`,
    );
    const eventId = list.items[0]!.id;
    expect((await api.request('GET', `/api/runs/${seeded.runIds[0]}/events/${eventId}/explain`)).status).toBe(
      404,
    );
    expect((await api.request('GET', `/api/runs/${seeded.eventRunId}/events/1e3/explain`)).status).toBe(404);
  });

  it('explains an event of a run recorded without a config snapshot, and says so', async () => {
    const list = await api.json<{ items: Array<{ id: string }> }>(
      'GET',
      `/api/runs/${seeded.eventRunId}/events`,
    );
    const why = await api.json<ExplainEventResponse>(
      'GET',
      `/api/runs/${seeded.eventRunId}/events/${list.items[0]!.id}/explain`,
    );
    expect(why).toMatchObject({ configRecorded: false, rule: null, runId: seeded.eventRunId });
    expect(why.attributes.map((a) => [a.name, a.direction, a.confidence])).toEqual([
      ['mail', 'both', 50],
      ['title', 'both', 50],
    ]);
  });
});
