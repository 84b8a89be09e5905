import { describe, expect, it } from 'vitest';
import { buildEvent, type PairDecision } from '../../server/core/build-event.ts';
import type { Correlation } from '../../server/core/correlate.ts';
import { entitlementValues } from '../../server/core/entitlements.ts';
import type { Response, Situation } from '../../server/core/model.ts';
import type { EngineConfig, IdmEntry } from '../../server/core/recon-config.ts';
import { account, engineConfig, idmEntry, link, pairOf } from './fixtures.ts';

const now = new Date('2025-01-10T00:00:00Z');
const alice = idmEntry('u-alice', { employeeId: 'E1', name: 'Alice', email: 'a@x' });
const pairs: Record<Situation, Correlation> = {
  IDM_EXISTS__RESOURCE_EXISTS: pairOf({
    account: account('E1', { name: 'Alicia', email: 'a@x' }),
    idm: alice,
    candidates: [alice],
    link: link('E1', alice),
    via: 'link',
  }),
  IDM_EXISTS__RESOURCE_NOT_EXISTS: pairOf({ idm: alice, candidates: [alice] }),
  IDM_NOT_EXISTS__RESOURCE_EXISTS: pairOf({ account: account('E9', { name: 'Nina' }) }),
  IDM_DELETED__RESOURCE_EXISTS: pairOf({
    account: account('E4', { name: 'Dora' }),
    idm: idmEntry('u-dora', { employeeId: 'E4' }, 'deleted'),
    link: link('E4', idmEntry('u-dora', {}, 'deleted')),
    via: 'link',
  }),
  DISPUTED: pairOf({ account: account('E3'), candidates: [idmEntry('a'), idmEntry('b')] }),
};

function plan(situation: Situation, response: Response, config: EngineConfig = engineConfig()) {
  const decision: PairDecision = {
    seq: 1,
    pair: pairs[situation],
    situation,
    rule: { response },
    commands: [{ response }],
  };
  return buildEvent(decision, { config, now, newId: () => 'new-id' });
}

// Every situation × response: the outcome and the writes it plans (i = IDM op, s = system op, l = link op).
const table: Array<[Situation, Response, string, string]> = [
  ['IDM_EXISTS__RESOURCE_EXISTS', 'DO_NOTHING', 'recorded', ''],
  ['IDM_EXISTS__RESOURCE_EXISTS', 'ADD_TO_IDM', 'planned', 'i:update'],
  ['IDM_EXISTS__RESOURCE_EXISTS', 'UPDATE_IDM_FROM_RESOURCE', 'planned', 'i:update'],
  ['IDM_EXISTS__RESOURCE_EXISTS', 'DELETE_FROM_IDM', 'planned', 'i:delete l:upsert'],
  ['IDM_EXISTS__RESOURCE_EXISTS', 'DISABLE_IN_IDM', 'planned', 'i:disable'],
  ['IDM_EXISTS__RESOURCE_EXISTS', 'ADD_TO_RESOURCE', 'planned', 's:update'],
  ['IDM_EXISTS__RESOURCE_EXISTS', 'UPDATE_RESOURCE_FROM_IDM', 'planned', 's:update'],
  ['IDM_EXISTS__RESOURCE_EXISTS', 'DELETE_FROM_RESOURCE', 'planned', 's:delete l:remove'],
  ['IDM_EXISTS__RESOURCE_EXISTS', 'DISABLE_IN_RESOURCE', 'planned', 's:disable'],
  ['IDM_EXISTS__RESOURCE_NOT_EXISTS', 'DO_NOTHING', 'recorded', ''],
  ['IDM_EXISTS__RESOURCE_NOT_EXISTS', 'ADD_TO_IDM', 'skipped', ''],
  ['IDM_EXISTS__RESOURCE_NOT_EXISTS', 'UPDATE_IDM_FROM_RESOURCE', 'skipped', ''],
  ['IDM_EXISTS__RESOURCE_NOT_EXISTS', 'DELETE_FROM_IDM', 'planned', 'i:delete'],
  ['IDM_EXISTS__RESOURCE_NOT_EXISTS', 'DISABLE_IN_IDM', 'planned', 'i:disable'],
  ['IDM_EXISTS__RESOURCE_NOT_EXISTS', 'ADD_TO_RESOURCE', 'planned', 's:create l:upsert'],
  ['IDM_EXISTS__RESOURCE_NOT_EXISTS', 'UPDATE_RESOURCE_FROM_IDM', 'skipped', ''],
  ['IDM_EXISTS__RESOURCE_NOT_EXISTS', 'DELETE_FROM_RESOURCE', 'skipped', ''],
  ['IDM_EXISTS__RESOURCE_NOT_EXISTS', 'DISABLE_IN_RESOURCE', 'skipped', ''],
  ['IDM_NOT_EXISTS__RESOURCE_EXISTS', 'DO_NOTHING', 'recorded', ''],
  ['IDM_NOT_EXISTS__RESOURCE_EXISTS', 'ADD_TO_IDM', 'planned', 'i:create l:upsert'],
  ['IDM_NOT_EXISTS__RESOURCE_EXISTS', 'UPDATE_IDM_FROM_RESOURCE', 'skipped', ''],
  ['IDM_NOT_EXISTS__RESOURCE_EXISTS', 'DELETE_FROM_IDM', 'skipped', ''],
  ['IDM_NOT_EXISTS__RESOURCE_EXISTS', 'DISABLE_IN_IDM', 'skipped', ''],
  ['IDM_NOT_EXISTS__RESOURCE_EXISTS', 'ADD_TO_RESOURCE', 'skipped', ''],
  ['IDM_NOT_EXISTS__RESOURCE_EXISTS', 'UPDATE_RESOURCE_FROM_IDM', 'skipped', ''],
  ['IDM_NOT_EXISTS__RESOURCE_EXISTS', 'DELETE_FROM_RESOURCE', 'planned', 's:delete'],
  ['IDM_NOT_EXISTS__RESOURCE_EXISTS', 'DISABLE_IN_RESOURCE', 'planned', 's:disable'],
  ['IDM_DELETED__RESOURCE_EXISTS', 'DO_NOTHING', 'recorded', ''],
  ['IDM_DELETED__RESOURCE_EXISTS', 'ADD_TO_IDM', 'planned', 'i:create l:upsert'],
  ['IDM_DELETED__RESOURCE_EXISTS', 'UPDATE_IDM_FROM_RESOURCE', 'skipped', ''],
  ['IDM_DELETED__RESOURCE_EXISTS', 'DELETE_FROM_IDM', 'skipped', ''],
  ['IDM_DELETED__RESOURCE_EXISTS', 'DISABLE_IN_IDM', 'skipped', ''],
  ['IDM_DELETED__RESOURCE_EXISTS', 'ADD_TO_RESOURCE', 'skipped', ''],
  ['IDM_DELETED__RESOURCE_EXISTS', 'UPDATE_RESOURCE_FROM_IDM', 'skipped', ''],
  ['IDM_DELETED__RESOURCE_EXISTS', 'DELETE_FROM_RESOURCE', 'planned', 's:delete l:remove'],
  ['IDM_DELETED__RESOURCE_EXISTS', 'DISABLE_IN_RESOURCE', 'planned', 's:disable'],
];
const allResponses: Response[] = [
  'DO_NOTHING',
  'ADD_TO_IDM',
  'UPDATE_IDM_FROM_RESOURCE',
  'DELETE_FROM_IDM',
  'DISABLE_IN_IDM',
  'ADD_TO_RESOURCE',
  'UPDATE_RESOURCE_FROM_IDM',
  'DELETE_FROM_RESOURCE',
  'DISABLE_IN_RESOURCE',
];
for (const response of allResponses) table.push(['DISPUTED', response, 'recorded', '']);

const writes = (e: ReturnType<typeof plan>) =>
  [
    e.action?.idm && `i:${e.action.idm.op}`,
    e.action?.system && `s:${e.action.system.op}`,
    e.action?.link && `l:${e.action.link.op}`,
  ]
    .filter(Boolean)
    .join(' ');

describe('buildEvent: every situation × response', () => {
  it.each(table)('%s × %s → %s %s', (situation, response, outcome, expectedWrites) => {
    const event = plan(situation, response);
    expect(event.outcome).toBe(outcome);
    expect(writes(event)).toBe(expectedWrites);
    if (outcome === 'skipped') expect(event.error?.code).toBe('not_applicable');
    if (situation === 'DISPUTED') expect(event.error?.code).toBe('disputed');
  });
});

describe('buildEvent: details', () => {
  it('creates the IDM object with the id chosen at plan time and links the account to it', () => {
    const event = plan('IDM_NOT_EXISTS__RESOURCE_EXISTS', 'ADD_TO_IDM');
    expect(event.action?.idm).toEqual({
      op: 'create',
      id: 'new-id',
      type: 'User',
      attributes: { employeeId: 'E9', name: 'Nina' },
      sources: {
        employeeId: { systemId: 'sys-hr', confidence: 50 },
        name: { systemId: 'sys-hr', confidence: 50 },
      },
    });
    expect(event.action?.link).toMatchObject({
      op: 'upsert',
      accountKey: 'E9',
      idmObjectId: 'new-id',
      status: 'active',
    });
    expect(event.idmObjectId).toBe('new-id');
  });

  it('updates only what drifted, with before and after', () => {
    const event = plan('IDM_EXISTS__RESOURCE_EXISTS', 'UPDATE_IDM_FROM_RESOURCE');
    expect(event.action?.idm).toMatchObject({ op: 'update', patch: { name: 'Alicia' } });
    expect(event.diff).toEqual({ name: { before: 'Alice', after: 'Alicia' } });
  });

  it('a non-trusted system never creates or updates IDM objects: a recorded refusal', () => {
    const untrusted = engineConfig({ system: { ...engineConfig().system, trusted: false } });
    const add = plan('IDM_NOT_EXISTS__RESOURCE_EXISTS', 'ADD_TO_IDM', untrusted);
    expect([add.outcome, add.error?.code, add.action]).toEqual(['skipped', 'not_trusted', null]);
    for (const response of ['UPDATE_IDM_FROM_RESOURCE', 'DELETE_FROM_IDM', 'DISABLE_IN_IDM'] as const) {
      const event = plan('IDM_EXISTS__RESOURCE_EXISTS', response, untrusted);
      expect(event.error?.code).toBe('not_trusted');
      expect(event.action?.idm).toBeUndefined();
    }
  });

  it('a non-trusted system still contributes entitlements', () => {
    const config = engineConfig({
      system: { ...engineConfig().system, trusted: false },
      entitlementAttribute: 'groups',
    });
    const decision: PairDecision = {
      seq: 1,
      pair: { ...pairs.IDM_EXISTS__RESOURCE_EXISTS, account: account('E1', { groups: 'g2; g1|g1' }) },
      situation: 'IDM_EXISTS__RESOURCE_EXISTS',
      rule: { response: 'UPDATE_IDM_FROM_RESOURCE' },
      commands: [{ response: 'UPDATE_IDM_FROM_RESOURCE' }],
    };
    const event = buildEvent(decision, { config, now, newId: () => 'x' });
    expect(event.outcome).toBe('planned');
    expect(event.action?.entitlements).toEqual({
      accountKey: 'E1',
      idmObjectId: 'u-alice',
      values: ['g1', 'g2'],
    });
  });

  it('respects direction none and toSystem', () => {
    const config = engineConfig({ attributeSync: { name: { direction: 'toSystem' } } });
    expect(plan('IDM_EXISTS__RESOURCE_EXISTS', 'UPDATE_IDM_FROM_RESOURCE', config).outcome).toBe('unchanged');
    const none = engineConfig({ attributeSync: { name: { direction: 'none' } } });
    expect(plan('IDM_EXISTS__RESOURCE_EXISTS', 'UPDATE_RESOURCE_FROM_IDM', none).outcome).toBe('unchanged');
  });

  it('fails the event, with the policy position, when the population policy failed', () => {
    const decision: PairDecision = {
      seq: 7,
      pair: pairs.IDM_NOT_EXISTS__RESOURCE_EXISTS,
      situation: 'IDM_NOT_EXISTS__RESOURCE_EXISTS',
      rule: { response: 'ADD_TO_IDM', populationPolicy: 'pop.ts' },
      commands: [{ response: 'ADD_TO_IDM' }],
      population: {
        ok: false,
        error: { kind: 'thrown', policy: 'pop.ts', line: 3, column: 9, message: 'boom' },
      },
    };
    const event = buildEvent(decision, { config: engineConfig(), now, newId: () => 'x' });
    expect(event.outcome).toBe('failed');
    expect(event.error?.policy).toMatchObject({ policy: 'pop.ts', line: 3, column: 9 });
  });

  it('refuses to create an account without its unique field key', () => {
    const pair = pairOf({ idm: idmEntry('u-x', { name: 'No Key' }), candidates: [] });
    const decision: PairDecision = {
      seq: 1,
      pair,
      situation: 'IDM_EXISTS__RESOURCE_NOT_EXISTS',
      rule: { response: 'ADD_TO_RESOURCE' },
      commands: [{ response: 'ADD_TO_RESOURCE' }],
    };
    const event = buildEvent(decision, { config: engineConfig(), now, newId: () => 'x' });
    expect([event.outcome, event.error?.code]).toEqual(['failed', 'missing_unique_key']);
  });

  it.each([
    [null, ''],
    [['b', 'a', 'a'], 'a,b'],
    ['x; y | z', 'x,y,z'],
  ])('entitlement values of %j', (value, expected) => {
    expect(entitlementValues(value).join(',')).toBe(expected);
  });
});

describe('buildEvent: stale days', () => {
  const missing = (staleSince: string | null) =>
    pairOf({
      idm: alice,
      candidates: [alice],
      link: link('E1', alice, staleSince ? { status: 'stale', staleSince } : {}),
    });
  const config = engineConfig({ staleDays: 7 });
  const decide = (staleSince: string | null, at: string) =>
    buildEvent(
      {
        seq: 1,
        pair: missing(staleSince),
        situation: 'IDM_EXISTS__RESOURCE_NOT_EXISTS',
        rule: { response: 'DELETE_FROM_IDM' },
        commands: [{ response: 'DELETE_FROM_IDM' }],
      },
      { config, now: new Date(at), newId: () => 'x' },
    );

  it('first marks the link stale, deleting nothing', () => {
    const event = decide(null, '2025-01-01T00:00:00Z');
    expect(event.action).toEqual({
      link: {
        op: 'upsert',
        accountKey: 'E1',
        idmObjectId: 'u-alice',
        status: 'stale',
        staleSince: '2025-01-01T00:00:00.000Z',
      },
    });
  });
  it('waits while fewer than N days have passed', () => {
    expect(decide('2025-01-01T00:00:00Z', '2025-01-07T23:59:59Z').outcome).toBe('unchanged');
  });
  it('deletes once exactly N days have passed', () => {
    expect(decide('2025-01-01T00:00:00Z', '2025-01-08T00:00:00Z').action?.idm).toEqual({
      op: 'delete',
      id: 'u-alice',
    });
  });
});

describe('buildEvent: desired state (a response that would change nothing writes nothing)', () => {
  const orphan = pairOf({ account: account('E9', { name: 'Nina', enabled: 'false' }) });
  const disableOrphan = (isDisabled?: (a: { attributes: Record<string, unknown> }) => boolean | undefined) =>
    buildEvent(
      {
        seq: 1,
        pair: orphan,
        situation: 'IDM_NOT_EXISTS__RESOURCE_EXISTS',
        rule: { response: 'DISABLE_IN_RESOURCE' },
        commands: [{ response: 'DISABLE_IN_RESOURCE' }],
      },
      { config: engineConfig(), now, newId: () => 'x', ...(isDisabled ? { isDisabled } : {}) },
    );

  it('does not disable an account the system shows disabled', () => {
    const event = disableOrphan((a) => a.attributes.enabled === 'false');
    expect(event.outcome).toBe('unchanged');
    expect(event.action).toBeNull();
  });
  it('disables an account the system shows enabled, or whose state it does not say', () => {
    expect(disableOrphan(() => false).action?.system).toEqual({ op: 'disable', key: 'E9' });
    expect(disableOrphan(() => undefined).action?.system).toEqual({ op: 'disable', key: 'E9' });
    expect(disableOrphan().action?.system).toEqual({ op: 'disable', key: 'E9' });
  });
  it('names the system that disabled an IDM object, and enables it when its account is back there', () => {
    const disabled = plan('IDM_EXISTS__RESOURCE_NOT_EXISTS', 'DISABLE_IN_IDM');
    expect(disabled.action?.idm).toEqual({ op: 'disable', id: 'u-alice', systemId: 'sys-hr' });
    const gone: IdmEntry = {
      object: {
        id: 'u-alice',
        type: 'User',
        status: 'disabled',
        attributes: { employeeId: 'E1', name: 'Alicia' },
      },
      sources: { status: { systemId: 'sys-hr', confidence: 100 } },
    };
    const back = buildEvent(
      {
        seq: 1,
        pair: pairOf({
          account: account('E1', { name: 'Alicia' }),
          idm: gone,
          candidates: [gone],
          link: link('E1', gone),
          via: 'link',
        }),
        situation: 'IDM_EXISTS__RESOURCE_EXISTS',
        rule: { response: 'UPDATE_IDM_FROM_RESOURCE' },
        commands: [{ response: 'UPDATE_IDM_FROM_RESOURCE' }],
      },
      { config: engineConfig(), now, newId: () => 'x' },
    );
    expect(back.action?.idm).toMatchObject({ op: 'enable', id: 'u-alice' });
    expect(back.diff?.status).toEqual({ before: 'disabled', after: 'active' });
    // Disabled by someone else (a person, another system): the account's return does not undo that.
    const byPerson = { ...gone, sources: {} };
    const kept = buildEvent(
      {
        seq: 1,
        pair: pairOf({
          account: account('E1', { name: 'Alicia' }),
          idm: byPerson,
          candidates: [byPerson],
          link: link('E1', byPerson),
          via: 'link',
        }),
        situation: 'IDM_EXISTS__RESOURCE_EXISTS',
        rule: { response: 'UPDATE_IDM_FROM_RESOURCE' },
        commands: [{ response: 'UPDATE_IDM_FROM_RESOURCE' }],
      },
      { config: engineConfig(), now, newId: () => 'x' },
    );
    expect(kept.outcome).toBe('unchanged');
  });
  it('keeps the matching rule scores of a dispute', () => {
    const a = idmEntry('a');
    const b = idmEntry('b');
    const event = buildEvent(
      {
        seq: 1,
        pair: pairOf({ account: account('E3'), candidates: [a, b], scores: { a: 40, b: 40 } }),
        situation: 'DISPUTED',
        rule: { response: 'DO_NOTHING' },
        commands: [{ response: 'DO_NOTHING' }],
      },
      { config: engineConfig(), now, newId: () => 'x' },
    );
    expect(event.policyOutput).toMatchObject({
      dispute: { candidates: ['a', 'b'], scores: { a: 40, b: 40 } },
    });
  });
});
