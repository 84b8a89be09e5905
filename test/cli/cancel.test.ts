import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { openConfiguredDatabase } from '../../server/db/open.ts';
import { runs } from '../../server/db/schema/index.ts';
import { migratedDataDir } from '../helpers/pglite-template.ts';
import { runTrueup, startServer, tempDataDir } from '../helpers/server.ts';
import { seedRunsInDataDir } from '../http/run-fixtures.ts';

/** These start real servers and several CLI processes; a loaded machine needs the time. */
const slow = 180_000;

describe('trueup cancel', () => {
  it(
    'cancels a run the running server executes, while it reads: the run ends cancelled',
    async () => {
      const dataDir = migratedDataDir();
      // The source is a named pipe: the run waits in its read until the test writes the rows.
      const fifo = path.join(dataDir, 'hr.csv');
      execFileSync('mkfifo', [fifo]);
      const server = await startServer({ DATA_DIR: dataDir }, 120_000);
      try {
        const env = { DATA_DIR: dataDir };
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
        const system = await call<{ id: string }>('POST', '/api/systems', {
          name: 'HR pipe',
          type: 'csv',
          trusted: true,
          uniqueFieldKey: 'employeeNumber',
          connection: { path: fifo },
        });
        const config = await call<{ id: string }>('POST', `/api/systems/${system.id}/recon-configs`, {
          objectType: 'User',
          sourceAttributeName: 'employeeNumber',
          idmField: 'employeeId',
          situations: { IDM_NOT_EXISTS__RESOURCE_EXISTS: { response: 'ADD_TO_IDM' } },
        });
        const { runId } = await call<{ runId: string }>('POST', `/api/recon-configs/${config.id}/runs`, {});
        const cancelling = runTrueup(['cancel', runId], env);
        for (;;) {
          const run = await call<{ cancelRequestedAt: string | null }>('GET', `/api/runs/${runId}`);
          if (run.cancelRequestedAt) break;
          await sleep(200);
        }
        writeFileSync(fifo, 'employeeNumber,name\nE1,Ann\nE2,Bob\n');
        const result = await cancelling;
        expect(result.stderr).toBe('');
        expect(result.code).toBe(0);
        expect(result.stdout).toContain(
          `cancel requested by bootstrap admin: run ${runId} stops at its next batch boundary`,
        );
        expect(result.stdout).toContain(`run ${runId} cancelled`);
        const run = await call<{ status: string; cancelledBy: string }>('GET', `/api/runs/${runId}`);
        expect(run).toMatchObject({ status: 'cancelled', cancelledBy: 'bootstrap admin' });
        const users = await call<{ items: unknown[] }>('GET', '/api/idm/users');
        expect(users.items).toEqual([]);

        const ended = await runTrueup(['cancel', runId], env);
        expect(ended.code).toBe(1);
        expect(ended.stderr).toMatch(/has ended already \(status cancelled\)/);
        const unknown = await runTrueup(['cancel', 'no-such-run'], env);
        expect(unknown.code).toBe(2);
        expect(unknown.stderr).toMatch(/no run with id "no-such-run"/);
      } finally {
        await server.stop();
      }
    },
    slow,
  );

  it(
    'without a server, cancels a queued run at once and asks a running one to stop',
    async () => {
      const dataDir = tempDataDir();
      const seeded = await seedRunsInDataDir(dataDir);
      const db = await openConfiguredDatabase({ databaseUrl: undefined, dataDir });
      let queued: string;
      let running: string;
      try {
        [{ id: queued }] = (await db.orm
          .insert(runs)
          .values({ configId: seeded.configId, status: 'queued' })
          .returning({ id: runs.id })) as [{ id: string }];
        [{ id: running }] = (await db.orm
          .insert(runs)
          .values({ configId: seeded.otherConfigId, status: 'running', startedAt: new Date() })
          .returning({ id: runs.id })) as [{ id: string }];
      } finally {
        await db.close();
      }
      const env = { DATA_DIR: dataDir };
      const cancelled = await runTrueup(['cancel', queued], env);
      expect(cancelled.code).toBe(0);
      expect(cancelled.stdout).toBe(
        `run ${queued} cancelled; what it applied before stays applied and journaled\n`,
      );
      const asked = await runTrueup(['cancel', running, '--no-wait'], env);
      expect(asked.code).toBe(0);
      expect(asked.stdout).toBe(`cancel requested by cli: run ${running} stops at its next batch boundary\n`);
      const history = await runTrueup(['history', '--json'], env);
      const statuses = Object.fromEntries(
        history.stdout
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line) as { id: string; status: string; cancelledBy: string | null })
          .map((r) => [r.id, [r.status, r.cancelledBy]]),
      );
      expect(statuses[queued]).toEqual(['cancelled', 'cli']);
      expect(statuses[running]).toEqual(['running', 'cli']);
      const finished = await runTrueup(['cancel', seeded.runIds[0]!], env);
      expect(finished.code).toBe(1);
      expect(finished.stderr).toMatch(/has ended already \(status succeeded\)/);
    },
    slow,
  );

  it.each([
    [['cancel'], /a run id is required/],
    [['cancel', 'a', 'b'], /unexpected argument "b"/],
    [['cancel', 'a', '--force'], /Unknown option '--force'/],
  ])('exits 2 on bad usage: %s', async (args, message) => {
    const result = await runTrueup(args, { DATA_DIR: tempDataDir() });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});
