import { type Client, ResultCodeError } from 'ldapts';
import { ldapServer } from './ldap-errors.ts';
import type { LdapConnection } from './ldap-settings.ts';

/**
 * What the directory's schema says of each attribute type: whether it is SINGLE-VALUE. Keyed by
 * every name of the type, lower-cased (`cn` and `commonName`). Attributes read with this shape
 * are the same for every entry: a scalar where the schema allows one value, a list elsewhere.
 */
export type AttributeSchema = Map<string, { single: boolean }>;

/**
 * Reads the subschema entry the root DSE names (`cn=Subschema` on OpenLDAP,
 * `CN=Aggregate,CN=Schema,CN=Configuration,…` on AD; RFC 4512 §4.2). Null when the directory
 * does not let the bind DN read it; a lost connection is thrown, as for any read.
 */
export async function readAttributeSchema(client: Client): Promise<AttributeSchema | null> {
  try {
    const root = await client.search('', {
      scope: 'base',
      filter: '(objectClass=*)',
      attributes: ['subschemaSubentry'],
    });
    const dn = firstOf(root.searchEntries[0]?.subschemaSubentry);
    if (!dn) return null;
    const { searchEntries } = await client.search(dn, {
      scope: 'base',
      filter: '(objectClass=subschema)',
      attributes: ['attributeTypes'],
    });
    const types = searchEntries[0]?.attributeTypes;
    if (!types || (Array.isArray(types) && types.length === 0)) return null;
    return parseAttributeTypes((Array.isArray(types) ? types : [types]).map(String));
  } catch (error) {
    if (error instanceof ResultCodeError) return null;
    throw error;
  }
}

/** The connector's schema, read once (on its first read) and shared by its searches and look-ups. */
export function attributeSchemaOnce(connection: LdapConnection) {
  let schema: Promise<AttributeSchema | null> | undefined;
  return (client: Client): Promise<AttributeSchema | null> => {
    schema ??= readAttributeSchema(client).then(
      (read) => {
        if (!read) {
          process.emitWarning(
            `${ldapServer(connection)} does not let ${connection.bindDn ? `"${connection.bindDn}"` : 'an anonymous bind'} read its schema (subschemaSubentry): attributes are read as before, a list only when an entry has several values`,
            { code: 'TRUEUP_LDAP_SCHEMA' },
          );
        }
        return read;
      },
      (error) => {
        schema = undefined;
        throw error;
      },
    );
    return schema;
  };
}

const quoted = /'([^']*)'/g;

/** RFC 4512 attribute type descriptions: `( 2.5.4.3 NAME ( 'cn' 'commonName' ) SUP name )`. */
export function parseAttributeTypes(descriptions: string[]): AttributeSchema {
  const schema: AttributeSchema = new Map();
  for (const description of descriptions) {
    const names = /\bNAME\s+(\([^)]*\)|'[^']*')/.exec(description)?.[1] ?? '';
    // Flags are words outside quoted strings: a DESC may say "SINGLE-VALUE" in prose.
    const single = /\sSINGLE-VALUE(\s|\))/.test(description.replace(quoted, "''"));
    for (const [, name] of names.matchAll(quoted)) if (name) schema.set(name.toLowerCase(), { single });
  }
  return schema;
}

function firstOf(value: unknown): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' && first !== '' ? first : undefined;
}
