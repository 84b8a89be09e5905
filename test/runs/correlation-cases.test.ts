import { sql } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../helpers/databases.ts';
import { addIdmUser, clearIdm, createCsvSystem, eventsOf, runServiceFor, runToEnd } from './recon-fixture.ts';

/**
 * Each correlation rule as a run decides it (links, the recon key and claims are joined in the
 * database): one dry run over a CSV keyed by `login` whose recon key is `employeeId`.
 */
const accounts = [
  ['L-LINKED', 'E1'], // a link wins over the recon key (E1 is Alice's)
  ['X1', 'E1'], // the recon key matches exactly
  ['X2', '  e6 '], // case and whitespace do not matter
  ['X3', 'E99'], // no candidate: an orphan
  ['X4', ''], // an empty key matches nothing
  ['X5', 'E3'], // two candidates: disputed
  ['L-DELETED', 'E4'], // a link to a deleted object
  ['L-GONE', 'E98'], // a link whose object row is gone
  [' l-norm', 'E97'], // links are found by normalised key
  ['X6', 'E8'], // deleted IDM objects are not matched by key
  ['A', 'E9'], // two accounts claiming one object by key: both disputed
  ['B', 'e9'],
];
const csv = `login,employeeId,name\n${accounts.map(([login, id]) => `${login},${id},n`).join('\n')}\n`;

describeEachDatabase('correlation rules, as a run decides them', (db) => {
  const ids: Record<string, string> = {};
  let situations: Map<string, { situation: string | null; idm: string | null }>;
  let missing: Set<string | null>;

  beforeAll(async () => {
    await clearIdm(db());
    for (const [name, employeeId, status] of [
      ['alice', 'E1'],
      ['bob', 'E2'],
      ['twinA', 'E3'],
      ['twinB', ' e3'],
      ['deleted', 'E4', 'deleted'],
      ['carol', 'E6'],
      ['dave', 'E7'],
      ['eve', 'E8', 'deleted'],
      ['frank', 'E9'],
      ['gina', 'E10'],
      ['hank', 'E11'],
    ] as const) {
      ids[name] = await addIdmUser(db(), employeeId, { name }, status ?? 'active');
    }
    const system = await createCsvSystem(db(), csv, { config: { sendDoNothingReport: true } });
    await db().rows(sql`update managed_systems set unique_field_key = 'login' where id = ${system.systemId}`);
    for (const [key, id] of [
      ['L-LINKED', ids.bob],
      ['L-DELETED', ids.deleted],
      ['L-GONE', 'no-such-object'],
      ['L-Norm', ids.dave],
      ['L-MISSING', ids.gina],
    ]) {
      await db().rows(sql`
        insert into links (system_id, object_type, account_key, idm_object_id, status)
        values (${system.systemId}, 'User', ${key}, ${id}, 'active')`);
    }
    const run = await runToEnd(runServiceFor(db()), db(), { configId: system.configId, dryRun: true });
    expect(run.status).toBe('succeeded');
    const events = await eventsOf(db(), run.id);
    situations = new Map(
      events.flatMap((e) =>
        e.object_key && e.situation !== 'IDM_EXISTS__RESOURCE_NOT_EXISTS'
          ? [[e.object_key.trim(), { situation: e.situation, idm: e.idm_object_id }]]
          : [],
      ),
    );
    missing = new Set(
      events.filter((e) => e.situation === 'IDM_EXISTS__RESOURCE_NOT_EXISTS').map((e) => e.idm_object_id),
    );
  });

  it.each([
    ['a link wins over the recon key', 'L-LINKED', 'IDM_EXISTS__RESOURCE_EXISTS', 'bob'],
    ['the recon key matches exactly', 'X1', 'IDM_EXISTS__RESOURCE_EXISTS', 'alice'],
    ['case and whitespace do not matter', 'X2', 'IDM_EXISTS__RESOURCE_EXISTS', 'carol'],
    ['no candidate is an orphan', 'X3', 'IDM_NOT_EXISTS__RESOURCE_EXISTS', null],
    ['an empty key matches nothing', 'X4', 'IDM_NOT_EXISTS__RESOURCE_EXISTS', null],
    ['two candidates are disputed', 'X5', 'DISPUTED', null],
    ['a link to a deleted object', 'L-DELETED', 'IDM_DELETED__RESOURCE_EXISTS', 'deleted'],
    ['a link whose object row is gone', 'L-GONE', 'IDM_DELETED__RESOURCE_EXISTS', null],
    ['links are found by normalised key', ' l-norm', 'IDM_EXISTS__RESOURCE_EXISTS', 'dave'],
    ['a deleted IDM object is not matched by key', 'X6', 'IDM_NOT_EXISTS__RESOURCE_EXISTS', null],
    ['two accounts claiming one object are disputed (first)', 'A', 'DISPUTED', null],
    ['two accounts claiming one object are disputed (second)', 'B', 'DISPUTED', null],
  ])('%s', (_, key, situation, idm) => {
    const found = situations.get(key.trim());
    expect(found?.situation).toBe(situation);
    if (idm) expect(found?.idm).toBe(ids[idm]);
    else if (situation !== 'IDM_DELETED__RESOURCE_EXISTS') expect(found?.idm ?? null).toBeNull();
  });

  it('pairs the IDM objects no account pointed at, linked or not, as the account being gone', () => {
    // Objects an account pointed at (a link, a key, a dispute's candidates) are not missing;
    // deleted objects are not in scope.
    expect([...missing].sort()).toEqual([ids.gina, ids.hank].sort());
  });
});
