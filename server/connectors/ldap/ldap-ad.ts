import type { Client, Entry } from 'ldapts';
import type { AttributePatch, Attributes } from '../../core/model.ts';

/**
 * Active Directory keeps "disabled" as bit 0x2 (ACCOUNTDISABLE) of `userAccountControl`, among
 * other flags (0x200 normal account, 0x20 no password required, 0x10000 password never expires).
 * With `disable: { mode: 'ad' }` the connector shows the bit as a boolean `accountDisabled`
 * (when the policy map asks for it) and writes it back by flipping only that bit, so an update
 * from the IDM can enable an account as well as disable it.
 */
export const accountDisabledAttribute = 'accountDisabled';
export const accountDisableBit = 0x2;
/** What a user created without flags gets once it has a password: a normal account. */
const normalAccount = 0x200;

/** The userAccountControl flags of an entry (or of attributes read), or null when it has none. */
export function controlOf(entry: Entry | Attributes): number | null {
  const value = Object.entries(entry).find(([name]) => name.toLowerCase() === 'useraccountcontrol')?.[1];
  const first = Array.isArray(value) ? value[0] : value;
  const number = Number(first);
  return first === undefined || Number.isNaN(number) ? null : number;
}

export function readAccountDisabled(entry: Entry, attributes: Attributes, requested: string[]) {
  const control = controlOf(entry);
  attributes[accountDisabledAttribute] = control === null ? null : (control & accountDisableBit) !== 0;
  if (!requested.some((name) => name.toLowerCase() === 'useraccountcontrol')) {
    for (const name of Object.keys(attributes))
      if (name.toLowerCase() === 'useraccountcontrol') delete attributes[name];
  }
}

const wantsDisabled = (value: AttributePatch[string]) =>
  value === true || (typeof value === 'string' && value.toLowerCase() === 'true');

/** The userAccountControl value with ACCOUNTDISABLE set or cleared, every other flag kept. */
export async function controlWith(client: Client, dn: string, disabled: boolean): Promise<string> {
  const { searchEntries } = await client.search(dn, { scope: 'base', attributes: ['userAccountControl'] });
  const current = controlOf(searchEntries[0] ?? { dn }) ?? normalAccount;
  return String(disabled ? current | accountDisableBit : current & ~accountDisableBit);
}

/** A patch with `accountDisabled` turned into the userAccountControl value it means. */
export async function resolveAccountDisabled(
  client: Client,
  dn: string,
  patch: AttributePatch,
): Promise<AttributePatch> {
  if (!(accountDisabledAttribute in patch)) return patch;
  const { [accountDisabledAttribute]: disabled, ...rest } = patch;
  if (disabled === null) return rest;
  return { ...rest, userAccountControl: await controlWith(client, dn, wantsDisabled(disabled)) };
}
