import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ReconConfigResponse } from '../../server/http/routes/recon-configs/config-response.ts';
import type { SystemResponse } from '../../server/http/routes/systems/system-schema.ts';
import type { TestApi } from '../helpers/api.ts';

export const savedPopulation = `import { definePopulation } from 'trueup:policy';
export default definePopulation(({ account }) => ({ name: String(account.attributes.name) }));`;

/** Upper-cases every name: each ADD_TO_IDM of a replay differs in its attributes. */
export const upperPopulation = `import { definePopulation } from 'trueup:policy';
export default definePopulation(({ account }) => ({ name: String(account.attributes.name).toUpperCase() }));`;

export type ReplaySetup = { configId: string; file: string; dryRunIds: string[] };

/**
 * An HR system of three people with a population policy, through the API, and two full dry runs
 * (each keeps its snapshot); between them Grace joins and Alan leaves.
 */
export async function setUpReplay(api: TestApi): Promise<ReplaySetup> {
  await api.json('POST', '/api/policies', { path: 'hr/population.ts', source: savedPopulation });
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'trueup-replay-')), 'hr.csv');
  writeFileSync(file, 'employeeId,name\nE1,Ada Lovelace\nE2,Alan Turing\nE3,Edsger Dijkstra\n');
  const system = await api.json<SystemResponse>('POST', '/api/systems', {
    name: 'HR',
    type: 'csv',
    trusted: true,
    uniqueFieldKey: 'employeeId',
    connection: { path: file },
  });
  const config = await api.json<ReconConfigResponse>('POST', `/api/systems/${system.id}/recon-configs`, {
    objectType: 'User',
    sourceAttributeName: 'employeeId',
    idmField: 'employeeId',
    situations: {
      IDM_NOT_EXISTS__RESOURCE_EXISTS: { response: 'ADD_TO_IDM', populationPolicy: 'hr/population.ts' },
    },
  });
  const first = await api.runToEnd(config.id, { dryRun: true });
  writeFileSync(file, 'employeeId,name\nE1,Ada Lovelace\nE3,Edsger Dijkstra\nE4,Grace Hopper\n');
  const second = await api.runToEnd(config.id, { dryRun: true });
  return { configId: config.id, file, dryRunIds: [first.id, second.id] };
}
