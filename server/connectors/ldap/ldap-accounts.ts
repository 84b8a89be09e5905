import type { Entry } from 'ldapts';
import type { ReadProblem } from '../../core/connector-port.ts';
import type { Account, Attributes, AttributeValue } from '../../core/model.ts';
import { accountDisabledAttribute, readAccountDisabled } from './ldap-ad.ts';
import { normaliseDn } from './ldap-escape.ts';
import type { ReferenceResolver } from './ldap-references.ts';
import type { LdapConnection } from './ldap-settings.ts';

/** Entries that hold accounts rather than being accounts: without a key they are not a problem. */
const containerClasses = [
  'organizationalunit',
  'organization',
  'dcobject',
  'domain',
  'container',
  'builtindomain',
];

/** Read as lists even with one value: membership and class lists grow and shrink. */
const listAttributes = ['member', 'uniquemember', 'memberof', 'objectclass'];

export type EntryReading = { account: Account } | { problem: ReadProblem } | null;

/**
 * How entries become accounts for one read (a search or a lookup): which attributes to ask the
 * directory for, and each entry's key and attributes — the policy map's names as written, lists
 * kept lists, binary values base64, references as keys, AD's disable bit as `accountDisabled`.
 */
export function accountShape(connection: LdapConnection, keyAttribute: string, requested: string[] | null) {
  const wm = connection.watermarkAttribute;
  const byDn = keyAttribute.toLowerCase() === 'dn';
  const derivesDisabled =
    connection.disable !== undefined &&
    'mode' in connection.disable &&
    (requested?.includes(accountDisabledAttribute) ?? false);
  const fetch = requested
    ? [
        ...new Set([
          ...(byDn ? [] : [keyAttribute]),
          ...requested.filter((name) => name !== accountDisabledAttribute),
          ...(derivesDisabled ? ['userAccountControl'] : []),
          wm,
          'objectClass',
        ]),
      ]
    : ['*', wm, ...(connection.entitlementAttribute ? [connection.entitlementAttribute] : [])];
  const references = new Set(connection.referenceAttributes.map((name) => name.toLowerCase()));
  const lists = new Set([
    ...listAttributes,
    ...references,
    connection.entitlementAttribute?.toLowerCase() ?? 'memberof',
  ]);
  const names = new Map(
    [...(requested ?? []), ...(byDn ? [] : [keyAttribute])].map((name) => [name.toLowerCase(), name]),
  );
  const shape: Shape = { wm, requested, names, lists };

  async function read(entry: Entry, resolver: ReferenceResolver): Promise<EntryReading> {
    const attributes = attributesOf(entry, shape);
    if (derivesDisabled) readAccountDisabled(entry, attributes, requested ?? []);
    for (const [name, value] of Object.entries(attributes)) {
      if (references.has(name.toLowerCase()) && Array.isArray(value)) {
        attributes[name] = await resolver.toKeys(value);
      }
    }
    const key = byDn
      ? normaliseDn(entry.dn)
      : attributes[names.get(keyAttribute.toLowerCase()) ?? keyAttribute];
    if (typeof key !== 'string' || key === '') {
      if (isContainer(entry)) return null;
      return {
        problem: {
          key: entry.dn,
          message: `entry ${entry.dn} has no single "${keyAttribute}" (the unique field key)`,
        },
      };
    }
    if (byDn) attributes.dn = entry.dn;
    return { account: { key, attributes } };
  }

  return { fetch, read };
}

function isContainer(entry: Entry): boolean {
  const classes = Object.entries(entry).find(([name]) => name.toLowerCase() === 'objectclass')?.[1];
  return (Array.isArray(classes) ? classes : [classes]).some((c) =>
    containerClasses.includes(String(c).toLowerCase()),
  );
}

type Shape = { wm: string; requested: string[] | null; names: Map<string, string>; lists: Set<string> };

function attributesOf(entry: Entry, shape: Shape): Attributes {
  const attributes: Attributes = {};
  for (const [rawName, raw] of Object.entries(entry)) {
    const lower = rawName.toLowerCase();
    if (lower === 'dn') continue;
    const name = shape.names.get(lower) ?? rawName;
    if (lower === shape.wm.toLowerCase() && !shape.names.has(lower)) continue;
    if (shape.requested && !shape.names.has(lower)) continue;
    attributes[name] = attributeValue(raw, shape.lists.has(lower));
  }
  for (const name of shape.requested ?? [])
    if (!(name in attributes) && name.toLowerCase() !== 'dn')
      attributes[name] = shape.lists.has(name.toLowerCase()) ? [] : null;
  return attributes;
}

function attributeValue(raw: Entry[string], list: boolean): AttributeValue {
  const values = (Array.isArray(raw) ? raw : [raw]).map((v) =>
    Buffer.isBuffer(v) ? v.toString('base64') : String(v),
  );
  if (list || values.length > 1) return values;
  return values[0] ?? null;
}
