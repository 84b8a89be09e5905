import { defineConnector } from '../define-connector.ts';
import { createScimConnector } from './scim-connector.ts';
import { scimConnectionSchema, scimSecretFields } from './scim-settings.ts';

export const scimConnector = defineConnector({
  type: 'scim',
  description:
    'A SCIM 2.0 service (RFC 7643/7644): Users or Groups, bearer token or OAuth client credentials',
  settings: scimConnectionSchema,
  secretFields: scimSecretFields,
  create: (settings, { uniqueFieldKey }) => createScimConnector(settings, uniqueFieldKey),
});
