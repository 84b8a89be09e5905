import { defineConnector } from '../define-connector.ts';
import { createLdapConnector } from './ldap-connector.ts';
import { ldapConnectionSchema } from './ldap-settings.ts';

export const ldapConnector = defineConnector({
  type: 'ldap',
  description: 'An LDAP directory or Active Directory (paged search, modifyTimestamp/uSNChanged deltas)',
  settings: ldapConnectionSchema,
  secretFields: ['bindPassword'],
  create: (settings, { uniqueFieldKey }) => createLdapConnector(settings, uniqueFieldKey),
});
