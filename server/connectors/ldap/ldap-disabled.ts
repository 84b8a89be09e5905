import type { Entry } from 'ldapts';
import type { Attributes } from '../../core/model.ts';
import { accountDisableBit, accountDisabledAttribute, controlOf } from './ldap-ad.ts';
import type { LdapConnection } from './ldap-settings.ts';

/**
 * isDisabled in the sense the connection's `disable` writes: AD's ACCOUNTDISABLE bit of
 * userAccountControl, or `{ attribute, value }` (disabled when the attribute holds that value,
 * compared case-insensitively as most matching rules do). Searches and look-ups fetch the
 * attribute whatever the policy map asks (disableAttribute), and note each entry's state.
 */
export function disableAttribute(connection: LdapConnection): string | undefined {
  if (!connection.disable) return undefined;
  return 'mode' in connection.disable ? 'userAccountControl' : connection.disable.attribute;
}

function valuesOf(source: Entry | Attributes, attribute: string): string[] | undefined {
  const found = Object.entries(source).find(([name]) => name.toLowerCase() === attribute.toLowerCase());
  if (!found) return undefined;
  const value = found[1];
  if (value === null || value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map((v) => (Buffer.isBuffer(v) ? v.toString() : String(v)));
}

function disabledBy(connection: LdapConnection, source: Entry | Attributes): boolean | undefined {
  const disable = connection.disable;
  if (!disable) return undefined;
  if ('mode' in disable) {
    const control = controlOf(source);
    return control === null ? undefined : (control & accountDisableBit) !== 0;
  }
  const values = valuesOf(source, disable.attribute);
  if (values === undefined) return undefined;
  return values.some((value) => value.toLowerCase() === disable.value.toLowerCase());
}

/** An entry's state as the directory holds it. */
export function disabledInEntry(connection: LdapConnection, entry: Entry): boolean | undefined {
  const disable = connection.disable;
  if (!disable) return undefined;
  // An entry without the attribute is enabled in the `{ attribute, value }` sense.
  if (!('mode' in disable)) return disabledBy(connection, entry) ?? false;
  return disabledBy(connection, entry);
}

/** An account's state from the attributes it carries (accountDisabled, userAccountControl, the attribute). */
export function disabledInAttributes(
  connection: LdapConnection,
  attributes: Attributes,
): boolean | undefined {
  const derived = attributes[accountDisabledAttribute];
  if (typeof derived === 'boolean') return derived;
  return disabledBy(connection, attributes);
}
