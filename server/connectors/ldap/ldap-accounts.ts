import type { Entry } from 'ldapts';
import type { ReadProblem } from '../../core/connector-port.ts';
import type { Account, Attributes, AttributeValue } from '../../core/model.ts';
import type { DisabledReading } from '../disabled-reading.ts';
import { accountDisabledAttribute, readAccountDisabled } from './ldap-ad.ts';
import { disableAttribute, disabledInEntry } from './ldap-disabled.ts';
import { normaliseDn } from './ldap-escape.ts';
import type { ReferenceResolver } from './ldap-references.ts';
import type { AttributeSchema } from './ldap-schema.ts';
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

/** Read as lists even with one value, whatever the schema: membership and class lists. */
const listAttributes = ['member', 'uniquemember', 'memberof', 'objectclass'];

export type EntryReading = { account: Account } | { problem: ReadProblem } | null;

/** A value's form: always a list, always one value, or as the entry holds it (no schema). */
type Form = 'list' | 'single' | 'asRead';

/** What one read (a search or a look-up) needs to turn entries into accounts. */
export type ShapeContext = {
  /** The directory's schema, or null when it could not be read (values as read). */
  schema: AttributeSchema | null;
  /** Where the entries' disabled states are noted, for isDisabled. */
  disabled: DisabledReading;
};

/**
 * How entries become accounts for one read: which attributes to ask the directory for, and each
 * entry's key and attributes — the policy map's names as written; a scalar where the schema says
 * SINGLE-VALUE and a list elsewhere, the same for every entry (member, memberOf, objectClass and
 * references always lists; the unique field key always its one value); binary values base64,
 * references as keys, AD's disable bit as `accountDisabled`.
 */
export function accountShape(
  connection: LdapConnection,
  keyAttribute: string,
  requested: string[] | null,
  context: ShapeContext,
) {
  const wm = connection.watermarkAttribute;
  const byDn = keyAttribute.toLowerCase() === 'dn';
  const derivesDisabled =
    connection.disable !== undefined &&
    'mode' in connection.disable &&
    (requested?.includes(accountDisabledAttribute) ?? false);
  const disabledBy = disableAttribute(connection);
  const fetch = requested
    ? [
        ...new Set([
          ...(byDn ? [] : [keyAttribute]),
          ...requested.filter((name) => name !== accountDisabledAttribute),
          ...(disabledBy ? [disabledBy] : []),
          wm,
          'objectClass',
        ]),
      ]
    : [
        '*',
        wm,
        ...(connection.entitlementAttribute ? [connection.entitlementAttribute] : []),
        ...(disabledBy ? [disabledBy] : []),
      ];
  const references = new Set(connection.referenceAttributes.map((name) => name.toLowerCase()));
  const lists = new Set([
    ...listAttributes,
    ...references,
    connection.entitlementAttribute?.toLowerCase() ?? 'memberof',
  ]);
  const keyName = keyAttribute.toLowerCase();
  const formOf = (lower: string): Form => {
    if (lists.has(lower)) return 'list';
    // The key is one value; an entry with several is a read problem, so they are kept to say so.
    if (lower === keyName) return 'asRead';
    const known = context.schema?.get(lower.split(';')[0] ?? lower);
    if (!known) return 'asRead';
    return known.single ? 'single' : 'list';
  };
  const names = new Map(
    [...(requested ?? []), ...(byDn ? [] : [keyAttribute])].map((name) => [name.toLowerCase(), name]),
  );
  const shape: Shape = { wm, requested, names, formOf };

  async function read(entry: Entry, resolver: ReferenceResolver): Promise<EntryReading> {
    const attributes = attributesOf(entry, shape);
    if (derivesDisabled) readAccountDisabled(entry, attributes, requested ?? []);
    for (const [name, value] of Object.entries(attributes)) {
      if (references.has(name.toLowerCase()) && Array.isArray(value)) {
        attributes[name] = await resolver.toKeys(value);
      }
    }
    const key = byDn ? normaliseDn(entry.dn) : attributes[names.get(keyName) ?? keyAttribute];
    if (typeof key !== 'string' || key === '') {
      if (isContainer(entry)) return null;
      return { problem: { key: entry.dn, message: missingKey(entry.dn, keyAttribute, key) } };
    }
    if (byDn) attributes.dn = entry.dn;
    context.disabled.note(key, disabledInEntry(connection, entry));
    return { account: { key, attributes } };
  }

  return { fetch, read };
}

function missingKey(dn: string, keyAttribute: string, value: AttributeValue | undefined): string {
  const count = Array.isArray(value) ? value.length : 0;
  const what =
    count > 1
      ? `has ${count} values of "${keyAttribute}" (the unique field key, which must have one)`
      : `has no "${keyAttribute}" (the unique field key)`;
  return `entry ${dn} ${what}: give it one, or leave it out of the system's search filter`;
}

function isContainer(entry: Entry): boolean {
  const classes = Object.entries(entry).find(([name]) => name.toLowerCase() === 'objectclass')?.[1];
  return (Array.isArray(classes) ? classes : [classes]).some((c) =>
    containerClasses.includes(String(c).toLowerCase()),
  );
}

type Shape = {
  wm: string;
  requested: string[] | null;
  names: Map<string, string>;
  formOf(lower: string): Form;
};

function attributesOf(entry: Entry, shape: Shape): Attributes {
  const attributes: Attributes = {};
  for (const [rawName, raw] of Object.entries(entry)) {
    const lower = rawName.toLowerCase();
    if (lower === 'dn') continue;
    const name = shape.names.get(lower) ?? rawName;
    if (lower === shape.wm.toLowerCase() && !shape.names.has(lower)) continue;
    if (shape.requested && !shape.names.has(lower)) continue;
    attributes[name] = attributeValue(raw, shape.formOf(lower));
  }
  for (const name of shape.requested ?? [])
    if (!(name in attributes) && name.toLowerCase() !== 'dn')
      attributes[name] = shape.formOf(name.toLowerCase()) === 'list' ? [] : null;
  return attributes;
}

function attributeValue(raw: Entry[string], form: Form): AttributeValue {
  const values = (Array.isArray(raw) ? raw : [raw]).map((v) =>
    Buffer.isBuffer(v) ? v.toString('base64') : String(v),
  );
  // A SINGLE-VALUE attribute holds one value; should a directory break its own schema, every
  // value is kept rather than one dropped.
  if (form === 'list' || values.length > 1) return values;
  return values[0] ?? null;
}
