import { EqualityFilter, type Filter, OrFilter } from 'ldapts';

/**
 * RFC 4515 escaping for a value placed inside a search filter: `*`, `(`, `)`, `\` and NUL become
 * `\2a`, `\28`, `\29`, `\5c`, `\00`, so an employee named `*)(uid=*` is a literal name, never a
 * wildcard or a second filter. Policies get the same helper from the SDK.
 */
export function ldapEscape(value: string): string {
  return value.replace(/[*()\\\0]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/**
 * RFC 4514 escaping for an attribute value placed in a DN (`cn=<value>,ou=people,…`): the special
 * characters get a backslash, and a leading `#` or space or a trailing space too.
 */
export function ldapEscapeDn(value: string): string {
  return value
    .replace(/[\\,+"<>;=\0]/g, (c) => (c === '\0' ? '\\00' : `\\${c}`))
    .replace(/^([ #])/, '\\$1')
    .replace(/ $/, '\\ ');
}

/**
 * A DN in one canonical spelling, so `CN=Ada, OU=People,dc=Example,dc=test` and
 * `cn=ada,ou=people,dc=example,dc=test` are one account key. Attribute values of the naming
 * attributes directories use (cn, uid, ou, dc) compare case-insensitively, so the whole DN is
 * lower-cased; spaces around separators are dropped, escaped characters are kept.
 */
export function normaliseDn(dn: string): string {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < dn.length; i++) {
    const c = dn[i]!;
    if (c === '\\' && i + 1 < dn.length) {
      current += c + dn[++i];
    } else if (c === ',' || c === '+') {
      parts.push(current.trim(), c);
      current = '';
    } else {
      current += c;
    }
  }
  parts.push(current.trim());
  return parts
    .map((part) => part.replace(/^([^=]+?)\s*=\s*/, (_, type: string) => `${type.trim()}=`))
    .join('')
    .toLowerCase();
}

/**
 * The filter that finds entries by unique field key. Binary attributes (objectGUID) travel
 * through trueup as base64 and are matched byte for byte, as a filter object: ldapts would read
 * `\xx` escapes in a filter string as UTF-8 text. Everything else is escaped text.
 */
export function keyFilter(attribute: string, keys: string[], binary: boolean): Filter | string {
  if (!binary) {
    const parts = keys.map((key) => `(${attribute}=${ldapEscape(key)})`);
    return parts.length === 1 ? (parts[0] as string) : `(|${parts.join('')})`;
  }
  const filters = keys.map((key) => new EqualityFilter({ attribute, value: base64Bytes(key) }));
  return filters.length === 1 ? (filters[0] as Filter) : new OrFilter({ filters });
}

/** Whether a value is canonical base64, as trueup holds the values of binary attributes. */
export const isBase64 = (value: string) =>
  value !== '' && Buffer.from(value, 'base64').toString('base64') === value;

/** The bytes of a binary value as trueup holds it; anything but canonical base64 is refused. */
export function base64Bytes(value: string): Buffer {
  const bytes = Buffer.from(value, 'base64');
  if (!isBase64(value)) {
    throw new Error(`"${value}" is not base64, as values of a binary attribute are`);
  }
  return bytes;
}
