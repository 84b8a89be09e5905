import type { Account, Attributes } from '../core/model.ts';
import { normalizeKey } from '../core/normalize-key.ts';

/**
 * `isDisabled` (connector-port.ts) for a connector whose accounts carry only the policy map's
 * attributes: the answer comes from the account when it carries the disable attribute, else from
 * what the connector's reads noted for that key, so it survives the engine staging accounts and
 * reading them back. Only disabled keys are kept (few, and what the engine acts on: no disable is
 * written for them); an account read as enabled without the attribute does not say.
 */
export type DisabledReading = {
  /** A read's finding for one account, made before the account is trimmed to the policy map. */
  note(key: string, disabled: boolean | undefined): void;
  isDisabled(account: Account): boolean | undefined;
};

export function createDisabledReading(
  fromAttributes: (attributes: Attributes) => boolean | undefined,
): DisabledReading {
  const disabled = new Set<string>();
  return {
    note(key, state) {
      if (state === true) disabled.add(normalizeKey(key));
      else disabled.delete(normalizeKey(key));
    },
    isDisabled(account) {
      return (
        fromAttributes(account.attributes) ?? (disabled.has(normalizeKey(account.key)) ? true : undefined)
      );
    },
  };
}
