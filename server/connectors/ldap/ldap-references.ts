import type { Client } from 'ldapts';
import { isBase64, keyFilter, normaliseDn } from './ldap-escape.ts';
import type { LdapConnection } from './ldap-settings.ts';

/** Lookups in flight at once over one connection; ldapts multiplexes them by message id. */
const parallel = 32;
/** Keys per OR filter when finding entries by key. */
const perFilter = 100;

const isBinary = (connection: LdapConnection, attribute: string) =>
  connection.binaryAttributes.some((name) => name.toLowerCase() === attribute.toLowerCase());

function firstValue(entry: Record<string, unknown>, attribute: string): string | null {
  const found = Object.entries(entry).find(([name]) => name.toLowerCase() === attribute.toLowerCase())?.[1];
  const first = Array.isArray(found) ? found[0] : found;
  if (Buffer.isBuffer(first)) return first.toString('base64');
  return typeof first === 'string' && first !== '' ? first : null;
}

/**
 * DN-valued attributes (`referenceAttributes`) as unique field keys and back, so a group's
 * `member` names the same keys as its members' links. With `dn` as the key a reference is only
 * normalised; otherwise each DN is looked up once per search (cached) and each key found with an
 * OR filter. A DN that names no entry with a key (outside the directory's view) stays a DN.
 */
export function createReferenceResolver(client: Client, connection: LdapConnection, keyAttribute: string) {
  const byDn = keyAttribute.toLowerCase() === 'dn';
  const keys = new Map<string, string>();

  async function keyOf(dn: string): Promise<string> {
    try {
      const { searchEntries } = await client.search(dn, {
        scope: 'base',
        attributes: [keyAttribute],
        explicitBufferAttributes: connection.binaryAttributes,
      });
      return firstValue(searchEntries[0] ?? {}, keyAttribute) ?? dn;
    } catch (error) {
      if ((error as Error).name === 'NoSuchObjectError') return dn;
      throw error;
    }
  }

  return {
    /** Replaces DN values with keys, in place order; unknown DNs are looked up in parallel. */
    async toKeys(dns: string[]): Promise<string[]> {
      if (byDn) return dns.map(normaliseDn);
      const missing = [...new Set(dns.map(normaliseDn))].filter((dn) => !keys.has(dn));
      for (let at = 0; at < missing.length; at += parallel) {
        const chunk = missing.slice(at, at + parallel);
        const found = await Promise.all(chunk.map(keyOf));
        for (const [i, dn] of chunk.entries()) keys.set(dn, found[i] as string);
      }
      return dns.map((dn) => keys.get(normaliseDn(dn)) as string);
    },

    /** Replaces key values with the DNs of their entries; a value that is no key is kept as given. */
    async toDns(values: string[]): Promise<string[]> {
      if (byDn) return values;
      const binary = isBinary(connection, keyAttribute);
      // A value that is no key of this kind (a DN given as is) is not looked up.
      const candidates = [...new Set(values)].filter((v) => (binary ? isBase64(v) : !v.includes('=')));
      const dns = new Map<string, string>();
      const base = await searchRoot(client, connection);
      for (let at = 0; at < candidates.length; at += perFilter) {
        const chunk = candidates.slice(at, at + perFilter);
        const filter = keyFilter(keyAttribute, chunk, binary);
        const { searchEntries } = await client.search(base, {
          scope: 'sub',
          filter,
          attributes: [keyAttribute],
          explicitBufferAttributes: connection.binaryAttributes,
        });
        for (const entry of searchEntries) {
          const key = firstValue(entry, keyAttribute);
          if (key) dns.set(key, entry.dn);
        }
      }
      return values.map((v) => dns.get(v) ?? v);
    },
  };
}

/** Where referenced entries are looked for: the directory's naming context, else the base DN. */
async function searchRoot(client: Client, connection: LdapConnection): Promise<string> {
  try {
    const { searchEntries } = await client.search('', {
      scope: 'base',
      filter: '(objectClass=*)',
      attributes: ['defaultNamingContext', 'namingContexts'],
    });
    const root = searchEntries[0] ?? {};
    const context = firstValue(root, 'defaultNamingContext') ?? firstValue(root, 'namingContexts');
    if (context && normaliseDn(connection.baseDn).endsWith(normaliseDn(context))) return context;
  } catch {
    // a directory that hides its root DSE: stay under the base DN
  }
  return connection.baseDn;
}

export type ReferenceResolver = ReturnType<typeof createReferenceResolver>;
