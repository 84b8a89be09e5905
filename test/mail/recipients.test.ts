import { beforeAll, expect, it } from 'vitest';
import { recipientsOf } from '../../server/services/mail.ts';
import { createTestApi, type TestApi } from '../helpers/api.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { createCsvSystem } from '../runs/recon-fixture.ts';

it('merges the config addresses and the post-processor ones, once each', () => {
  expect(recipientsOf(null)).toEqual([]);
  expect(recipientsOf('a@x.example')).toEqual(['a@x.example']);
  expect(recipientsOf('a@x.example, b@x.example;c@x.example', ['b@x.example', 'd@x.example'])).toEqual([
    'a@x.example',
    'b@x.example',
    'c@x.example',
    'd@x.example',
  ]);
});

describeEachDatabase('notificationEmail: one address or a list', (db) => {
  let api: TestApi;
  let systemId: string;
  beforeAll(async () => {
    api = await createTestApi(db());
    ({ systemId } = await createCsvSystem(db(), 'employeeId\nE1\n'));
  });
  const create = (notificationEmail: unknown) =>
    api.request('POST', `/api/systems/${systemId}/recon-configs`, {
      body: { objectType: 'User', notificationEmail },
    });

  it.each([
    ['iam@x.example', 'iam@x.example'],
    [['iam@x.example', 'ops@x.example'], 'iam@x.example, ops@x.example'],
    ['iam@x.example, ops@x.example', 'iam@x.example, ops@x.example'],
  ])('accepts %j', async (given, stored) => {
    const response = await create(given);
    expect(response.status).toBe(201);
    expect(((await response.json()) as { notificationEmail: string }).notificationEmail).toBe(stored);
  });

  it.each([['not-an-address'], [['iam@x.example', 'nope']], ['iam@x.example, ,'], [[]]])(
    'refuses %j naming the field',
    async (given) => {
      const response = await create(given);
      expect(response.status).toBe(400);
      const { error } = (await response.json()) as { error: { message: string } };
      expect(error.message).toMatch(/notificationEmail/);
    },
  );
});
