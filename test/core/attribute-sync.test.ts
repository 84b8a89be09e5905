import { describe, expect, it } from 'vitest';
import { outboundAttributes, sameValue } from '../../server/core/attribute-sync.ts';
import type { EngineSystem } from '../../server/core/recon-config.ts';

/** Value comparison and outbound attributes, as found by the convergence matrix (test/converge/). */
describe('sameValue', () => {
  it('a list equals the ;-separated text of the same values, in any order, and nothing else', () => {
    expect(sameValue(['admin', 'dev'], 'dev;admin')).toBe(true);
    expect(sameValue('dev; admin', ['admin', 'dev'])).toBe(true);
    expect(sameValue(['admin', 'dev'], 'dev;admin;ops')).toBe(false);
    expect(sameValue(['a;b'], 'a;b')).toBe(true);
    expect(sameValue(['a', 'b'], 'a,b')).toBe(false);
    expect(sameValue(['1', '2'], 12)).toBe(false);
    expect(sameValue([], '')).toBe(true);
  });
});

describe('outboundAttributes', () => {
  const system: EngineSystem = {
    id: 's',
    name: 'directory',
    type: 'ldap',
    trusted: true,
    uniqueFieldKey: 'dn',
    attributes: ['cn', 'mail'],
    outboundMapping: null,
  };
  const idm = {
    id: 'o',
    type: 'User' as const,
    status: 'active' as const,
    attributes: { dn: 'uid=a,ou=p,dc=x', cn: ['A'], mail: ['a@x'], name: 'A' },
  };

  it('a new account gets the unique field key even when the system attribute list leaves it out', () => {
    expect(outboundAttributes(idm, null, system)).toEqual({
      dn: 'uid=a,ou=p,dc=x',
      cn: ['A'],
      mail: ['a@x'],
    });
  });

  it('an existing account gets only the attributes it has', () => {
    expect(outboundAttributes(idm, { key: 'uid=a,ou=p,dc=x', attributes: { cn: ['B'] } }, system)).toEqual({
      cn: ['A'],
    });
  });
});
