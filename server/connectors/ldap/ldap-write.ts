import { Attribute, Change, type Client } from 'ldapts';
import type { WriteOp, WriteResult } from '../../core/connector-port.ts';
import type { AttributePatch, AttributeValue } from '../../core/model.ts';
import { normalizeKey } from '../../core/normalize-key.ts';
import { accountDisabledAttribute, controlWith, resolveAccountDisabled } from './ldap-ad.ts';
import { closeLdap, openLdap } from './ldap-client.ts';
import { describeLdapError } from './ldap-errors.ts';
import { keyFilter, ldapEscapeDn } from './ldap-escape.ts';
import { createReferenceResolver, type ReferenceResolver } from './ldap-references.ts';
import type { LdapConnection } from './ldap-settings.ts';

/** Connections a large batch is written over. */
const writeConnections = 4;
/** Ops per connection before another one is worth opening. */
const opsPerConnection = 50;

/** A stable lane for a key: every op on one entry goes over the same connection, in order. */
function laneOf(key: string, lanes: number): number {
  let hash = 0;
  for (const char of normalizeKey(key)) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) | 0;
  return Math.abs(hash) % lanes;
}

/**
 * Applies a batch over a small pool of bound connections (one for a small batch, or when
 * reference attributes may name entries the same batch creates), each op on an entry over the
 * same connection in batch order. Idempotent: create of an existing key replaces the given
 * attributes, delete of a missing key succeeds. Keys other than the DN are found with an escaped
 * equality filter.
 */
export async function writeLdap(
  connection: LdapConnection,
  keyAttribute: string,
  ops: WriteOp[],
): Promise<WriteResult[]> {
  const lanes =
    connection.referenceAttributes.length > 0
      ? 1
      : Math.max(1, Math.min(writeConnections, Math.ceil(ops.length / opsPerConnection)));
  const work: Array<Array<[number, WriteOp]>> = Array.from({ length: lanes }, () => []);
  for (const [i, op] of ops.entries()) work[laneOf(op.key, lanes)]?.push([i, op]);
  const results: WriteResult[] = [];
  await Promise.all(work.map((lane) => writeLane(connection, keyAttribute, lane, results)));
  return results;
}

async function writeLane(
  connection: LdapConnection,
  keyAttribute: string,
  lane: Array<[number, WriteOp]>,
  results: WriteResult[],
) {
  if (lane.length === 0) return;
  let client: Client;
  try {
    client = await openLdap(connection);
  } catch (error) {
    const message = describeLdapError(error, connection, { connecting: true });
    for (const [i] of lane) results[i] = { ok: false, message };
    return;
  }
  const resolver = createReferenceResolver(client, connection, keyAttribute);
  try {
    for (const [i, op] of lane) {
      try {
        results[i] = await writeOne(client, connection, keyAttribute, resolver, op);
      } catch (error) {
        results[i] = {
          ok: false,
          message: error instanceof OpError ? error.message : describeLdapError(error, connection),
        };
      }
    }
  } finally {
    await closeLdap(client);
  }
}

class OpError extends Error {}

async function writeOne(
  client: Client,
  connection: LdapConnection,
  keyAttribute: string,
  resolver: ReferenceResolver,
  op: WriteOp,
): Promise<WriteResult> {
  const dn = await findDn(client, connection, keyAttribute, op.key);
  const written = async (patch: AttributePatch, at: string) =>
    referencesAsDns(connection, resolver, await resolveAccountDisabled(client, at, patch));
  const missing: WriteResult = { ok: false, message: `no entry with ${keyAttribute} "${op.key}"` };
  switch (op.op) {
    case 'delete':
      if (dn) await client.del(dn);
      return { ok: true };
    case 'update':
      if (!dn) return missing;
      await replace(client, dn, await written(op.patch, dn));
      return { ok: true };
    case 'disable':
      if (!dn) return missing;
      await disable(client, connection, dn);
      return { ok: true };
    case 'create': {
      if (dn) {
        await replace(client, dn, await written(op.attributes, dn));
        return { ok: true };
      }
      if (connection.binaryAttributes.includes(keyAttribute)) {
        throw new OpError(
          `${keyAttribute} is assigned by the directory: an account keyed by it cannot be created with a chosen key`,
        );
      }
      // AD creates a user without a password disabled (userAccountControl 546): the bit is set
      // after the add, as an update would.
      const { [accountDisabledAttribute]: disabled, ...attributes } = op.attributes;
      const at = newDn(connection, keyAttribute, op.key, attributes);
      await client.add(
        at,
        newEntry(connection, keyAttribute, {
          key: op.key,
          attributes: await referencesAsDns(connection, resolver, attributes),
        }),
      );
      if (disabled !== undefined && disabled !== null) {
        await replace(
          client,
          at,
          await resolveAccountDisabled(client, at, { [accountDisabledAttribute]: disabled }),
        );
      }
      return { ok: true };
    }
  }
}

async function findDn(client: Client, connection: LdapConnection, keyAttribute: string, key: string) {
  if (keyAttribute.toLowerCase() === 'dn') {
    try {
      const { searchEntries } = await client.search(key, { scope: 'base', attributes: ['1.1'] });
      return searchEntries[0]?.dn;
    } catch (error) {
      if ((error as Error).name === 'NoSuchObjectError') return undefined;
      throw error;
    }
  }
  const binary = connection.binaryAttributes.some(
    (name) => name.toLowerCase() === keyAttribute.toLowerCase(),
  );
  let filter: ReturnType<typeof keyFilter>;
  try {
    filter = keyFilter(keyAttribute, [key], binary);
  } catch (error) {
    throw new OpError((error as Error).message);
  }
  const { searchEntries } = await client.search(connection.baseDn, {
    scope: connection.scope,
    filter,
    attributes: ['1.1'],
  });
  if (searchEntries.length > 1)
    throw new OpError(`${keyAttribute} "${key}" matches ${searchEntries.length} entries`);
  return searchEntries[0]?.dn;
}

/** Replaces each attribute in the patch; null removes it (replace with no values). */
async function replace(client: Client, dn: string, patch: AttributePatch) {
  const changes = Object.entries(patch)
    .filter(([name]) => name.toLowerCase() !== 'dn')
    .map(
      ([type, value]) =>
        new Change({ operation: 'replace', modification: new Attribute({ type, values: values(value) }) }),
    );
  if (changes.length > 0) await client.modify(dn, changes);
}

async function disable(client: Client, connection: LdapConnection, dn: string) {
  if (!connection.disable) throw new OpError('disable needs a `disable` setting in the connection');
  if ('attribute' in connection.disable) {
    await replace(client, dn, { [connection.disable.attribute]: connection.disable.value });
    return;
  }
  // AD: set the ACCOUNTDISABLE bit of userAccountControl, keeping every other flag.
  await replace(client, dn, { userAccountControl: await controlWith(client, dn, true) });
}

/** Values of reference attributes (`member`) travel as keys; the directory stores DNs. */
async function referencesAsDns(
  connection: LdapConnection,
  resolver: ReferenceResolver,
  patch: AttributePatch,
): Promise<AttributePatch> {
  const references = new Set(connection.referenceAttributes.map((name) => name.toLowerCase()));
  const out: AttributePatch = {};
  for (const [name, value] of Object.entries(patch)) {
    out[name] =
      references.has(name.toLowerCase()) && value !== null
        ? await resolver.toDns(Array.isArray(value) ? value : [String(value)])
        : value;
  }
  return out;
}

function newDn(
  connection: LdapConnection,
  keyAttribute: string,
  key: string,
  attributes: AttributePatch,
): string {
  if (keyAttribute.toLowerCase() === 'dn') return key;
  const rdn = connection.rdnAttribute ?? keyAttribute;
  const value = rdn === keyAttribute ? key : attributes[rdn];
  if (typeof value !== 'string' || value === '') throw new OpError(`a new entry needs a "${rdn}" to name it`);
  return `${rdn}=${ldapEscapeDn(value)},${connection.createContainer ?? connection.baseDn}`;
}

function newEntry(
  connection: LdapConnection,
  keyAttribute: string,
  op: { key: string; attributes: AttributePatch },
) {
  const entry: Record<string, string[]> = { objectClass: connection.objectClasses };
  for (const [name, value] of Object.entries(op.attributes)) {
    if (name.toLowerCase() === 'dn' || value === null) continue;
    entry[name] = values(value);
  }
  if (keyAttribute.toLowerCase() !== 'dn') entry[keyAttribute] = [op.key];
  return entry;
}

function values(value: AttributeValue): string[] {
  if (value === null) return [];
  return Array.isArray(value) ? value : [String(value)];
}
