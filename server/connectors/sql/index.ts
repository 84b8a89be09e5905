import { defineConnector } from '../define-connector.ts';
import { createSqlConnector } from './sql-connector.ts';
import { sqlConnectionSchema } from './sql-settings.ts';

export const sqlConnector = defineConnector({
  type: 'sql',
  description: 'A PostgreSQL or MySQL/MariaDB table or import query',
  settings: sqlConnectionSchema,
  secretFields: ['password'],
  create: (settings, { uniqueFieldKey }) => createSqlConnector(settings, uniqueFieldKey),
});
