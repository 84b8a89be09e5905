import { defineConnector } from '../define-connector.ts';
import { createCsvConnector } from './csv-connector.ts';
import { csvConnectionSchema } from './csv-settings.ts';

export const csvConnector = defineConnector({
  type: 'csv',
  description: 'A CSV / delimited file on the server, or uploaded to it',
  settings: csvConnectionSchema,
  secretFields: [],
  create: (settings, { uniqueFieldKey }) => createCsvConnector(settings, uniqueFieldKey),
});
