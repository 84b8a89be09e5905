import { ldapConnector } from '../../connectors/ldap/index.ts';
import type { LdapConnection } from '../../connectors/ldap/ldap-settings.ts';
import { scimConnector } from '../../connectors/scim/index.ts';
import type { ObjectType } from '../../core/model.ts';
import { type Invalid, invalid } from '../outcomes.ts';

type ConfigShape = { objectType: ObjectType; entitlementAttribute?: string | null; policyMap?: string[] };
type SystemShape = { name: string; type: string; connection: Record<string, unknown> };

/** What a SCIM Group resource lists its members' ids in (RFC 7643 §4.2). */
const scimMembers = 'members';

/**
 * `entitlementAttribute` names the account attribute that lists memberships as account keys on
 * the same system: a group's members (Group, Role, Organization) or an account's groups (User).
 * Refused where the run could not read it as such: left out of the attributes the run asks for
 * (every membership would then be removed), or, for a group's members, an attribute the system's
 * connector does not give as keys.
 */
export function entitlementProblem(config: ConfigShape, system: SystemShape): Invalid | null {
  const attribute = config.entitlementAttribute;
  if (!attribute) return null;
  const problem = (message: string) => invalid('entitlementAttribute', message);
  const policyMap = config.policyMap ?? [];
  if (policyMap.length > 0 && !policyMap.includes(attribute)) {
    return problem(
      `"${attribute}" is not in policyMap, so runs would not read it and would remove every membership: add it to policyMap`,
    );
  }
  // A User config may list raw group names or DNs: they are kept as entitlements even when they name no account.
  if (config.objectType === 'User') return null;
  if (system.type === ldapConnector.type) {
    const references = (system.connection as Partial<LdapConnection>).referenceAttributes ?? [];
    if (!references.some((name) => name.toLowerCase() === attribute.toLowerCase())) {
      return problem(
        `LDAP system "${system.name}" gives "${attribute}" as DNs, not as its members' account keys: add "${attribute}" to the system's referenceAttributes (now ${JSON.stringify(references)})`,
      );
    }
  }
  if (system.type === scimConnector.type && attribute !== scimMembers) {
    return problem(`a SCIM group lists its members' ids in "${scimMembers}", not "${attribute}"`);
  }
  return null;
}
