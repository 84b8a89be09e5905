import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { migratedDataDir } from '../helpers/pglite-template.ts';
import { runTrueup, startServer, tempDataDir } from '../helpers/server.ts';

/** These start real servers and several CLI processes; a loaded machine needs the time. */
const slow = 300_000;

describe('trueup token and the first-start admin token', () => {
  it(
    'creates an admin token file on a fresh start, logs its path but never the token',
    async () => {
      const dataDir = tempDataDir();
      const server = await startServer({ DATA_DIR: dataDir });
      try {
        const file = path.join(dataDir, 'admin.token');
        const token = readFileSync(file, 'utf8').trim();
        expect(statSync(file).mode & 0o777).toBe(0o600);
        expect(server.output()).toContain(file);
        expect(server.output()).not.toContain(token);
        const ok = await fetch(`${server.url}/api/systems`, {
          headers: { authorization: `Bearer ${token}` },
        });
        expect(ok.status).toBe(200);
        const denied = await fetch(`${server.url}/api/systems`);
        expect(denied.status).toBe(401);
      } finally {
        await server.stop();
      }
    },
    slow,
  );

  it(
    'creates an operator token for a bot, which may start runs but not create systems',
    async () => {
      const dataDir = migratedDataDir();
      const created = await runTrueup(['token', 'create', '--role', 'operator', '--name', 'ci-bot'], {
        DATA_DIR: dataDir,
      });
      expect(created.code).toBe(0);
      expect(created.stderr).toContain('created operator token "ci-bot"');
      const headers = {
        authorization: `Bearer ${created.stdout.trim()}`,
        'content-type': 'application/json',
      };
      const server = await startServer({ DATA_DIR: dataDir });
      try {
        const system = await fetch(`${server.url}/api/systems`, { method: 'POST', headers, body: '{}' });
        expect(system.status).toBe(403);
        // Allowed to start runs: the answer is about the config, not the role.
        const run = await fetch(`${server.url}/api/recon-configs/nope/runs`, {
          method: 'POST',
          headers,
          body: '{}',
        });
        expect(run.status).toBe(404);
      } finally {
        await server.stop();
      }
      const listed = await runTrueup(['token', 'list'], { DATA_DIR: dataDir });
      expect(listed.stdout).toMatch(/operator\s+tu_\S+….*ci-bot/);
    },
    slow,
  );

  it(
    'prints a new viewer token once, which may read but not write',
    async () => {
      const dataDir = migratedDataDir();
      const created = await runTrueup(['token', 'create', '--role', 'viewer', '--name', 'auditor'], {
        DATA_DIR: dataDir,
      });
      expect(created.code).toBe(0);
      const token = created.stdout.trim();
      expect(token).toMatch(/^tu_[A-Za-z0-9_-]{43}$/);
      expect(created.stderr).toContain('auditor');
      expect(created.stderr).not.toContain(token);

      // Tokens existed already, so the server creates no admin token file.
      const server = await startServer({ DATA_DIR: dataDir });
      try {
        expect(() => readFileSync(path.join(dataDir, 'admin.token'))).toThrow();
        const headers = { authorization: `Bearer ${token}` };
        expect((await fetch(`${server.url}/api/systems`, { headers })).status).toBe(200);
        const write = await fetch(`${server.url}/api/systems`, { method: 'POST', headers, body: '{}' });
        expect(write.status).toBe(403);
      } finally {
        await server.stop();
      }
    },
    slow,
  );

  it(
    'lists tokens without showing them, and revokes one at once',
    async () => {
      const dataDir = migratedDataDir();
      const created = await runTrueup(['token', 'create', '--role', 'admin', '--name', 'ci'], {
        DATA_DIR: dataDir,
      });
      const token = created.stdout.trim();
      const listed = await runTrueup(['token', 'list'], { DATA_DIR: dataDir });
      expect(listed.code).toBe(0);
      expect(listed.stdout).not.toContain(token);
      const row = listed.stdout.split('\n').find((line) => line.endsWith(' ci'))!;
      expect(row).toMatch(/\sadmin\s+tu_\S{6}…\s.*\sactive\s+ci$/);
      const id = row.split(/\s+/)[0]!;

      // The last live admin token is kept: another admin first.
      expect((await runTrueup(['token', 'revoke', id], { DATA_DIR: dataDir })).stderr).toMatch(
        /last live admin token/,
      );
      await runTrueup(['token', 'create', '--role', 'admin', '--name', 'keeper'], { DATA_DIR: dataDir });
      expect((await runTrueup(['token', 'revoke', id], { DATA_DIR: dataDir })).code).toBe(0);
      expect((await runTrueup(['token', 'list'], { DATA_DIR: dataDir })).stdout).toMatch(
        /revoked \S+\s+ci\n/,
      );
      const again = await runTrueup(['token', 'revoke', id], { DATA_DIR: dataDir });
      expect(again.code).toBe(1);
      expect(again.stderr).toMatch(/is revoked already/);

      const server = await startServer({ DATA_DIR: dataDir });
      try {
        const response = await fetch(`${server.url}/api/systems`, {
          headers: { authorization: `Bearer ${token}` },
        });
        expect(response.status).toBe(401);
      } finally {
        await server.stop();
      }
    },
    slow,
  );

  it(
    'creates, lists and revokes tokens through the running server, which holds the embedded database',
    async () => {
      const dataDir = migratedDataDir();
      const server = await startServer({ DATA_DIR: dataDir }, 120_000);
      try {
        const env = { DATA_DIR: dataDir };
        const created = await runTrueup(['token', 'create', '--role', 'viewer', '--name', 'auditor'], env);
        expect(created.stderr).not.toMatch(/in use/);
        expect(created.code).toBe(0);
        const token = created.stdout.trim();
        const asAuditor = () =>
          fetch(`${server.url}/api/runs`, { headers: { authorization: `Bearer ${token}` } });
        expect((await asAuditor()).status).toBe(200);
        const listed = await runTrueup(['token', 'list'], env);
        expect(listed.code).toBe(0);
        expect(listed.stdout).toMatch(/\sviewer\s+tu_\S{6}…\s.*\sactive\s+auditor\n/);
        expect(listed.stdout).toMatch(/\sadmin\s.*bootstrap admin\n/);

        // Two live tokens of one name: revoking by that name asks which.
        expect(
          (await runTrueup(['token', 'create', '--role', 'viewer', '--name', 'auditor'], env)).code,
        ).toBe(0);
        const ambiguous = await runTrueup(['token', 'revoke', 'auditor'], env);
        expect(ambiguous.code).toBe(1);
        expect(ambiguous.stderr).toMatch(/2 live tokens are named "auditor"; give one of their ids/);
        const id = listed.stdout
          .split('\n')
          .find((line) => line.endsWith(' auditor'))!
          .split(/\s+/)[0]!;
        const revoked = await runTrueup(['token', 'revoke', id], env);
        expect(revoked.code).toBe(0);
        expect(revoked.stdout).toContain(`revoked viewer token "auditor" (id ${id})`);
        expect((await asAuditor()).status).toBe(401);

        // The CLI's own admin token is the last admin: the server keeps it.
        const last = await runTrueup(['token', 'revoke', 'bootstrap admin'], env);
        expect(last.code).toBe(1);
        expect(last.stderr).toMatch(/last live admin token/);
      } finally {
        await server.stop();
      }
    },
    slow,
  );

  it.each([
    [['token', 'create'], /--role is required/],
    [['token', 'create', '--role', 'root'], /--role must be one of admin, operator, viewer/],
    [['token'], /missing subcommand/],
    [['token', 'delete', '--role', 'admin'], /unknown subcommand/],
    [['token', 'revoke'], /a token id or name is required/],
  ])('exits 2 on bad usage: %s', async (args, message) => {
    const result = await runTrueup(args, { DATA_DIR: tempDataDir() });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it('describes itself with --help', async () => {
    const result = await runTrueup(['token', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('token create --role <admin|operator|viewer>');
  });
});
