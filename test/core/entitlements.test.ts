import { describe, expect, it } from 'vitest';
import { buildEvent } from '../../server/core/build-event.ts';
import type { Response } from '../../server/core/model.ts';
import type { EngineConfig } from '../../server/core/recon-config.ts';
import { account, engineConfig, idmEntry, link, pairOf } from './fixtures.ts';

/**
 * Memberships as events: a Group config's IDM side carries the member list the IDM holds
 * (server/store/entitlement-lists.ts), so an equal list writes nothing and a different one shows
 * which members came and went; a User config's account groups are written as read.
 */
const groupConfig = (overrides: Partial<EngineConfig> = {}) =>
  engineConfig({
    objectType: 'Group',
    entitlementAttribute: 'member',
    sourceAttributeName: null,
    idmField: null,
    ...overrides,
  });

const held = ['cn=bots', 'uid=ann', 'uid=svc'];
const eng = idmEntry('g-eng', { cn: 'eng', member: held });

function decide(config: EngineConfig, member: string[] | string | undefined, response: Response, idm = eng) {
  const acct = { key: 'cn=eng', attributes: { cn: 'eng', ...(member === undefined ? {} : { member }) } };
  const known = response !== 'ADD_TO_IDM';
  return buildEvent(
    {
      seq: 1,
      pair: known
        ? pairOf({ account: acct, idm, candidates: [idm], link: link('cn=eng', idm), via: 'link' })
        : pairOf({ account: acct }),
      situation: known ? 'IDM_EXISTS__RESOURCE_EXISTS' : 'IDM_NOT_EXISTS__RESOURCE_EXISTS',
      rule: { response },
      commands: [{ response }],
    },
    { config, now: new Date('2025-01-10T00:00:00Z'), newId: () => 'g-new' },
  );
}

describe('membership changes of a Group config', () => {
  it.each([
    ['the same members in another order', ['uid=svc', 'cn=bots', 'uid=ann']],
    ['the same members with a duplicate and blanks', ['uid=ann', 'uid=ann ', 'cn=bots', 'uid=svc', '']],
    ['the same members as one separated text', 'uid=svc; cn=bots | uid=ann'],
  ])('writes nothing for %s', (_, member) => {
    const event = decide(groupConfig(), member, 'UPDATE_IDM_FROM_RESOURCE');
    expect(event.outcome).toBe('unchanged');
    expect(event.action).toBeNull();
    expect(event.diff).toBeNull();
  });

  it('names the members added and removed as sorted before and after lists', () => {
    const event = decide(groupConfig(), ['uid=svc', 'uid=bob', 'cn=bots'], 'UPDATE_IDM_FROM_RESOURCE');
    expect(event.outcome).toBe('planned');
    expect(event.action?.idm).toBeUndefined();
    expect(event.action?.entitlements).toEqual({
      accountKey: 'cn=eng',
      idmObjectId: 'g-eng',
      values: ['cn=bots', 'uid=bob', 'uid=svc'],
    });
    expect(event.diff?.member).toEqual({ before: held, after: ['cn=bots', 'uid=bob', 'uid=svc'] });
  });

  it('shows the diff when member does not flow to the IDM as an attribute, and for an untrusted system', () => {
    for (const config of [
      groupConfig({ attributeSync: { member: { direction: 'toSystem' } } }),
      groupConfig({ system: { ...engineConfig().system, trusted: false } }),
    ]) {
      const event = decide(config, ['uid=ann'], 'UPDATE_IDM_FROM_RESOURCE');
      expect(event.action?.idm).toBeUndefined();
      expect(event.action?.entitlements?.values).toEqual(['uid=ann']);
      expect(event.diff).toEqual({ member: { before: held, after: ['uid=ann'] } });
    }
  });

  it('a group read for the first time has no members before; one listing none empties the IDM list', () => {
    const created = decide(groupConfig(), ['uid=ann'], 'ADD_TO_IDM');
    expect(created.diff).toEqual({
      cn: { before: null, after: 'eng' },
      member: { before: null, after: ['uid=ann'] },
    });
    // The list is held as memberships, not as an attribute of the IDM group.
    expect(created.action?.idm).toEqual({
      op: 'create',
      id: 'g-new',
      type: 'Group',
      attributes: { cn: 'eng' },
      sources: { cn: { systemId: 'sys-hr', confidence: 50 } },
    });
    const emptied = decide(groupConfig(), undefined, 'UPDATE_IDM_FROM_RESOURCE');
    expect(emptied.action?.entitlements?.values).toEqual([]);
    expect(emptied.diff?.member).toEqual({ before: held, after: [] });
    const none = idmEntry('g-none', { cn: 'eng', member: [] });
    expect(decide(groupConfig(), undefined, 'UPDATE_IDM_FROM_RESOURCE', none).action).toBeNull();
  });
});

describe('account groups of a User config', () => {
  it('are written as read, with no membership diff (the IDM user carries no such list)', () => {
    const alice = idmEntry('u-alice', { employeeId: 'E1' });
    const event = buildEvent(
      {
        seq: 1,
        pair: pairOf({
          account: account('E1', { memberOf: ['cn=b', 'cn=a'] }),
          idm: alice,
          candidates: [alice],
          link: link('E1', alice),
          via: 'link',
        }),
        situation: 'IDM_EXISTS__RESOURCE_EXISTS',
        rule: { response: 'UPDATE_IDM_FROM_RESOURCE' },
        commands: [{ response: 'UPDATE_IDM_FROM_RESOURCE' }],
      },
      {
        config: engineConfig({
          entitlementAttribute: 'memberOf',
          attributeSync: { memberOf: { direction: 'none' } },
        }),
        now: new Date('2025-01-10T00:00:00Z'),
        newId: () => 'x',
      },
    );
    expect(event.action?.entitlements).toEqual({
      accountKey: 'E1',
      idmObjectId: 'u-alice',
      values: ['cn=a', 'cn=b'],
    });
    expect(event.diff).toBeNull();
  });
});
