import { EqualityFilter, OrFilter } from 'ldapts';
import { describe, expect, it } from 'vitest';
import {
  base64Bytes,
  keyFilter,
  ldapEscape,
  ldapEscapeDn,
  normaliseDn,
} from '../../server/connectors/ldap/ldap-escape.ts';
import { parseAttributeTypes } from '../../server/connectors/ldap/ldap-schema.ts';
import {
  generalizedToIso,
  laterWatermark,
  watermarkFilterValue,
} from '../../server/connectors/ldap/ldap-time.ts';

describe('LDAP escaping and change markers', () => {
  it.each([
    ['*)(uid=*', '\\2a\\29\\28uid=\\2a'],
    ['a\\b', 'a\\5cb'],
    ['nul\0', 'nul\\00'],
    ['Zoë (ops)', 'Zoë \\28ops\\29'],
    ['plain', 'plain'],
  ])('ldapEscape(%j) = %j', (value, escaped) => {
    expect(ldapEscape(value)).toBe(escaped);
  });

  it.each([
    ['Smith, John', 'Smith\\, John'],
    [' lead', '\\ lead'],
    ['trail ', 'trail\\ '],
    ['#hash', '\\#hash'],
    ['a+b=c', 'a\\+b\\=c'],
  ])('ldapEscapeDn(%j) = %j', (value, escaped) => {
    expect(ldapEscapeDn(value)).toBe(escaped);
  });

  it('finds text keys with an escaped filter and binary keys (objectGUID) byte for byte', () => {
    expect(keyFilter('uid', ['*)(uid=*'], false)).toBe('(uid=\\2a\\29\\28uid=\\2a)');
    expect(keyFilter('cn', ['a', 'b'], false)).toBe('(|(cn=a)(cn=b))');
    const guid = Buffer.from('aoXgNOLSrUGzr1qD2kRKiw==', 'base64');
    const one = keyFilter('objectGUID', [guid.toString('base64')], true) as EqualityFilter;
    expect(one).toBeInstanceOf(EqualityFilter);
    expect(Buffer.compare(one.value as Buffer, guid)).toBe(0);
    // A byte above 0x7f stays a byte: as a `\\xx` filter string ldapts would make it UTF-8 text.
    expect(guid.some((b) => b > 0x7f)).toBe(true);
    expect(keyFilter('objectGUID', [guid.toString('base64'), 'AAAA'], true)).toBeInstanceOf(OrFilter);
  });

  it.each(['', 'not base64!', 'aoXgNOLSrUGzr1qD2kRKiw', 'uid=ann,ou=people'])(
    'refuses %j as the value of a binary key',
    (value) => {
      expect(() => base64Bytes(value)).toThrow(/is not base64/);
    },
  );

  it('normalises DNs but keeps escaped separators', () => {
    expect(normaliseDn('CN=Smith\\, John , OU=People,DC=Example')).toBe(
      'cn=smith\\, john,ou=people,dc=example',
    );
  });

  it.each([
    ['20261122041000Z', '2026-11-22T04:10:00.000Z'],
    ['20261122041000.0Z', '2026-11-22T04:10:00.000Z'],
    ['not a time', null],
  ])('generalizedToIso(%j) = %j', (value, iso) => {
    expect(generalizedToIso(value)).toBe(iso);
  });

  it('turns watermarks into filter values and rejects what is not one', () => {
    expect(watermarkFilterValue('2026-11-22T04:10:00.987Z', 'modifyTimestamp')).toBe('20261122041000Z');
    expect(watermarkFilterValue('20261122041000.0Z', 'whenChanged')).toBe('20261122041000.0Z');
    expect(watermarkFilterValue('123456', 'uSNChanged')).toBe('123456');
    expect(() => watermarkFilterValue('12)(x=*', 'uSNChanged')).toThrow('is not a uSNChanged number');
    expect(() => watermarkFilterValue('*)(uid=*', 'modifyTimestamp')).toThrow('is not a timestamp');
  });

  it('compares uSNChanged as numbers and timestamps as ISO', () => {
    expect(laterWatermark('999', '1000', 'uSNChanged')).toBe('1000');
    expect(laterWatermark('2026-01-02T00:00:00.000Z', '2026-01-01T00:00:00.000Z', 'modifyTimestamp')).toBe(
      '2026-01-02T00:00:00.000Z',
    );
    expect(laterWatermark(null, '5', 'uSNChanged')).toBe('5');
  });

  it.each([
    // OpenLDAP: aliases, a supertype, SINGLE-VALUE among other flags.
    [
      "( 2.5.4.3 NAME ( 'cn' 'commonName' ) DESC 'RFC4519: common name(s)' SUP name )",
      { cn: false, commonname: false },
    ],
    [
      "( 2.16.840.1.113730.3.1.3 NAME 'employeeNumber' EQUALITY caseIgnoreMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )",
      { employeenumber: true },
    ],
    [
      "( 2.5.18.2 NAME 'modifyTimestamp' SYNTAX 1.3.6.1.4.1.1466.115.121.1.24 SINGLE-VALUE NO-USER-MODIFICATION USAGE directoryOperation )",
      { modifytimestamp: true },
    ],
    // Active Directory quotes its SYNTAX; a DESC that mentions the flag is prose, not the flag.
    [
      "( 1.2.840.113556.1.4.221 NAME 'sAMAccountName' SYNTAX '1.3.6.1.4.1.1466.115.121.1.15' SINGLE-VALUE )",
      { samaccountname: true },
    ],
    [
      "( 1.2.3 NAME 'note' DESC 'not SINGLE-VALUE at all' SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )",
      { note: false },
    ],
  ])('parseAttributeTypes(%j)', (description, expected) => {
    const schema = parseAttributeTypes([description]);
    expect(Object.fromEntries([...schema].map(([name, { single }]) => [name, single]))).toEqual(expected);
  });
});
