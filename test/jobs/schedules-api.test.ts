import { beforeAll, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../helpers/api.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { createCsvSystem } from '../runs/recon-fixture.ts';

type Schedules = {
  items: Array<{
    configId: string;
    frequency: string;
    timezone: string;
    nextRunAt: string | null;
    lastRunId: string | null;
  }>;
};

describeEachDatabase('GET /api/schedules and schedule validation', (db) => {
  let api: TestApi;
  let systemId: string;
  beforeAll(async () => {
    api = await createTestApi(db());
    ({ systemId } = await createCsvSystem(db(), 'employeeId,name\nE1,Ann\n', {
      config: { frequency: null },
    }));
  });
  const create = async (body: Record<string, unknown>) =>
    api.request('POST', `/api/systems/${systemId}/recon-configs`, { body: { objectType: 'User', ...body } });

  it('lists active scheduled configs with frequency, zone, next tick and last run', async () => {
    const nightly = (await (await create({ frequency: 'nightly', timezone: 'Europe/Paris' })).json()) as {
      id: string;
    };
    const seconds = (await (await create({ frequency: '*/5 * * * * *' })).json()) as { id: string };
    const off = (await (await create({ frequency: 'hourly', status: 'inactive' })).json()) as { id: string };
    const response = await api.request('GET', '/api/schedules', { role: 'viewer' });
    expect(response.status).toBe(200);
    const { items } = (await response.json()) as Schedules;
    const byId = new Map(items.map((s) => [s.configId, s]));
    expect(byId.has(off.id)).toBe(false);
    const paris = byId.get(nightly.id)!;
    expect(paris).toMatchObject({ frequency: 'nightly', timezone: 'Europe/Paris', lastRunId: null });
    // nightly is 02:00 in the config's zone.
    const local = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Paris',
      hour: '2-digit',
      minute: '2-digit',
    });
    expect(local.format(new Date(paris.nextRunAt!))).toBe('02:00');
    const next = Date.parse(byId.get(seconds.id)!.nextRunAt!);
    expect(next % 5000).toBe(0);
    expect(next).toBeGreaterThan(Date.now() - 1000);
  });

  it.each([
    [{ frequency: 'every2m' }, /frequency: every5m, every15m, hourly, nightly or a cron expression/],
    [{ frequency: '61 * * * *' }, /frequency: .*minute/],
    [{ frequency: '* * * * * * *' }, /frequency: .*5 or 6 fields/],
    [{ frequency: 'hourly', timezone: 'Mars/Base' }, /timezone/],
  ])('refuses %j with a 4xx naming the field', async (body, message) => {
    const response = await create(body);
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { message: string } };
    expect(error.message).toMatch(message);
  });

  it('needs a token, and a viewer may read', async () => {
    expect((await api.request('GET', '/api/schedules', { role: null })).status).toBe(401);
    expect((await api.request('GET', '/api/schedules', { role: 'viewer' })).status).toBe(200);
  });
});
