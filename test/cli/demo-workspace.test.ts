import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTrueup, startServer, tempDataDir } from '../helpers/server.ts';

function csvRows(file: string): Array<Record<string, string>> {
  const [header, ...lines] = readFileSync(file, 'utf8').trim().split('\n');
  const names = header!.split(',');
  return lines.map((line) => {
    const cells = line.split(',');
    return Object.fromEntries(names.map((name, i) => [name, cells[i] ?? '']));
  });
}

describe('the demo workspace, driven by the CLI while the server holds the embedded database', () => {
  it('adds the HR users, fixes drift and disables orphans in the app, and reads the history back', async () => {
    const dataDir = tempDataDir();
    // A fresh folder on purpose (initdb, migrations, the demo): slow on a loaded machine.
    const server = await startServer({ DATA_DIR: dataDir, DEMO_WORKSPACE: 'on' }, 120_000);
    try {
      expect(server.output()).toContain('loaded the demo workspace');

      const hr = await runTrueup(['run', 'demo-hr-users'], { DATA_DIR: dataDir });
      expect(hr.stderr).toBe('');
      expect(hr.code).toBe(0);
      expect(hr.stdout).toContain(`started by the server at ${server.url}`);
      expect(hr.stdout).toMatch(/status\s+succeeded/);
      expect(hr.stdout).toMatch(/response ADD_TO_IDM\s+37\n/);

      const users = await fetch(`${server.url}/api/idm/users?limit=100`, {
        headers: {
          authorization: `Bearer ${readFileSync(path.join(dataDir, 'admin.token'), 'utf8').trim()}`,
        },
      });
      const body = (await users.json()) as { items: Array<{ attributes: Record<string, unknown> }> };
      expect(body.items).toHaveLength(37);
      expect(body.items.map((u) => u.attributes.login)).toContain('alovelace');

      const app = await runTrueup(['run', 'demo-app-accounts'], { DATA_DIR: dataDir });
      expect(app.code).toBe(0);
      expect(app.stdout).toMatch(/response DISABLE_IN_RESOURCE\s+3\n/);
      expect(app.stdout).toMatch(/response ADD_TO_RESOURCE\s+3\n/);
      const accounts = csvRows(path.join(dataDir, 'demo/app.csv'));
      const byLogin = new Map(accounts.map((a) => [a.login, a]));
      expect(byLogin.get('tester')?.enabled).toBe('false');
      expect(byLogin.get('thoare')?.enabled).toBe('false');
      expect(byLogin.get('edijkstra')?.email).toBe('edijkstra@example.test');
      expect(byLogin.get('lhaibt')?.displayName).toBe('Lois Haibt');

      // Desired state: run again with nothing changed outside, and neither config writes anything.
      for (const config of ['demo-hr-users', 'demo-app-accounts']) {
        const second = await runTrueup(['run', config], { DATA_DIR: dataDir });
        expect(second.code, second.stdout + second.stderr).toBe(0);
        expect(second.stdout).toContain('succeeded');
        expect(second.stdout).not.toMatch(/^(applied|linked) /m);
        expect(second.stdout).toMatch(/errors\s+0\n/);
      }
      expect(csvRows(path.join(dataDir, 'demo/app.csv'))).toEqual(accounts);

      const again = await runTrueup(['run', 'demo-hr-users', '--dry-run'], { DATA_DIR: dataDir });
      expect(again.code).toBe(0);
      expect(again.stdout).toContain('(dry run)');
      expect(again.stdout).not.toContain('ADD_TO_IDM');

      const history = await runTrueup(['history', '--json'], { DATA_DIR: dataDir });
      expect(history.code).toBe(0);
      const runs = history.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { id: string; configId: string });
      expect(runs.map((r) => r.configId)).toEqual([
        'demo-hr-users',
        'demo-app-accounts',
        'demo-hr-users',
        'demo-app-accounts',
        'demo-hr-users',
      ]);

      const hrRunId = /run (\S+) started/.exec(hr.stdout)?.[1];
      const csv = await runTrueup(['events', hrRunId!, '--csv'], { DATA_DIR: dataDir });
      expect(csv.code).toBe(0);
      expect(csv.stdout.split('\n')[0]).toContain('object key');
      expect(csv.stdout.match(/ADD_TO_IDM/g)).toHaveLength(37);
      const listed = await runTrueup(['events', hrRunId!, '--limit', '5'], { DATA_DIR: dataDir });
      expect(listed.stdout).toContain('more events');
      expect((await runTrueup(['events', 'no-such-run'], { DATA_DIR: dataDir })).code).toBe(1);

      const tested = await runTrueup(['system', 'test', 'demo-hr'], { DATA_DIR: dataDir });
      expect(tested.code).toBe(0);
      expect(tested.stdout).toMatch(/^ok: /);
      expect((await runTrueup(['system', 'test', 'nope'], { DATA_DIR: dataDir })).code).toBe(2);

      const unknown = await runTrueup(['run', 'no-such-config'], { DATA_DIR: dataDir });
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain('no-such-config');
    } finally {
      await server.stop();
    }
  }, 300_000);
});
