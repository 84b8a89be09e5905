import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { migratedDataDir } from '../helpers/pglite-template.ts';
import { runTrueup, startServer } from '../helpers/server.ts';
import { savedPopulation, upperPopulation } from '../http/replay-fixtures.ts';

/** These start a real server and CLI processes; a loaded machine needs the time. */
const slow = 480_000;

describe('trueup replay', () => {
  it(
    'prints the outcome diff of a changed policy file, through the running server and in-process',
    async () => {
      // A migrated copy of the template: this test is not about a first start.
      const dataDir = migratedDataDir();
      const hr = path.join(dataDir, 'hr.csv');
      writeFileSync(hr, 'employeeId,name\nE1,Ada Lovelace\nE2,Alan Turing\n');
      const changed = path.join(dataDir, 'population.ts');
      writeFileSync(changed, upperPopulation);
      const env = { DATA_DIR: dataDir };
      const server = await startServer(env, 300_000);
      let runId = '';
      try {
        const token = readFileSync(path.join(dataDir, 'admin.token'), 'utf8').trim();
        const call = async <T>(method: string, url: string, body?: unknown) => {
          const response = await fetch(`${server.url}${url}`, {
            method,
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: body === undefined ? undefined : JSON.stringify(body),
          });
          expect(response.status, `${method} ${url}`).toBeLessThan(300);
          return (await response.json()) as T;
        };
        await call('POST', '/api/policies', { path: 'hr/population.ts', source: savedPopulation });
        const system = await call<{ id: string }>('POST', '/api/systems', {
          name: 'HR',
          type: 'csv',
          trusted: true,
          uniqueFieldKey: 'employeeId',
          connection: { path: hr },
        });
        const config = await call<{ id: string }>('POST', `/api/systems/${system.id}/recon-configs`, {
          objectType: 'User',
          sourceAttributeName: 'employeeId',
          idmField: 'employeeId',
          situations: {
            IDM_NOT_EXISTS__RESOURCE_EXISTS: { response: 'ADD_TO_IDM', populationPolicy: 'hr/population.ts' },
          },
        });
        ({ runId } = await call<{ runId: string }>('POST', `/api/recon-configs/${config.id}/runs`, {
          dryRun: true,
        }));
        for (;;) {
          const run = await call<{ status: string }>('GET', `/api/runs/${runId}`);
          if (run.status !== 'running' && run.status !== 'queued') break;
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
        const result = await runTrueup(['replay', runId, '--policy', `hr/population.ts=${changed}`], env);
        expect([result.code, result.stderr]).toEqual([0, '']);
        expect(result.stdout).toContain(
          '2 of 2 object(s) decided differently: situation 0, response 0, attributes 2',
        );
        expect(result.stdout).toContain(
          '  E1  [attributes]\n      IDM_NOT_EXISTS__RESOURCE_EXISTS ADD_TO_IDM\n      name: "Ada Lovelace" -> "ADA LOVELACE"',
        );
        expect(result.stdout).toContain('nothing was written');
        const unsaved = await call<{ source: string }>('GET', '/api/policies/hr/population.ts');
        expect(unsaved.source).toBe(savedPopulation);
      } finally {
        await server.stop();
      }
      const local = await runTrueup(
        ['replay', runId, '--policy', `hr/population.ts=${changed}`, '--json'],
        env,
      );
      expect([local.code, local.stderr]).toEqual([0, '']);
      expect(JSON.parse(local.stdout)).toMatchObject({ runId, status: 'succeeded', counts: { changed: 2 } });
      const usage = await runTrueup(['replay', runId, '--policy', 'no-equals-sign'], env);
      expect(usage.code).toBe(2);
      expect(usage.stderr).toContain('write it as <path>=<file>');
      const missing = await runTrueup(['replay', 'nope', '--policy', `hr/population.ts=${changed}`], env);
      expect([missing.code, missing.stderr]).toEqual([2, 'trueup replay: no run "nope"\n']);
    },
    slow,
  );
});
