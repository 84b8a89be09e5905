import { once } from 'node:events';
import net from 'node:net';
import { setTimeout } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase } from '../helpers/databases.ts';
import { migratedDataDir } from '../helpers/pglite-template.ts';
import { type RunningServer, runTrueup, startServer, tempDataDir } from '../helpers/server.ts';

describe('trueup serve on the embedded database', () => {
  it('answers /health with pglite, keeps data across a restart and does not migrate twice', async () => {
    const dataDir = tempDataDir();
    const first = await startServer({ DATA_DIR: dataDir });
    const health = await fetch(`${first.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', database: 'pglite', version: expect.any(String) });
    expect(first.output()).toMatch(/applied [1-9]\d* migration\(s\)/);
    expect(await first.stop()).toBe(0);

    const second = await startServer({ DATA_DIR: dataDir });
    expect(second.output()).toContain('schema is up to date');
    expect(second.output()).not.toMatch(/applied \d+ migration/);
    expect(await second.stop()).toBe(0);
  }, 300_000);

  it('finishes an in-flight request before stopping on SIGTERM, and refuses new ones', async () => {
    const server = await startServer({ DATA_DIR: migratedDataDir() });
    const { port } = new URL(server.url);
    const socket = net.connect(Number(port), '127.0.0.1');
    await once(socket, 'connect');
    let response = '';
    socket.on('data', (chunk) => {
      response += chunk;
    });
    socket.write('GET /health HTTP/1.1\r\nHost: localhost\r\n');
    await setTimeout(200);
    const stopped = server.stop('SIGTERM');
    await setTimeout(300);
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();
    socket.write('Connection: close\r\n\r\n');
    await once(socket, 'end');
    expect(await stopped).toBe(0);
    expect(response).toMatch(/^HTTP\/1.1 200 OK/);
    expect(response).toContain('"status":"ok"');
    expect(server.output()).toContain('"msg":"stopped"');
  });

  describe('one server on a migrated folder, shared by these tests', () => {
    const dataDir = migratedDataDir();
    let server: RunningServer;
    beforeAll(async () => {
      server = await startServer({ DATA_DIR: dataDir });
    });
    afterAll(() => server?.stop());

    it('refuses a second server on the same DATA_DIR with one line', async () => {
      const second = await runTrueup(['serve'], { DATA_DIR: dataDir, PORT: '0' });
      expect(second.code).toBe(1);
      expect(second.stderr.trim().split('\n')).toHaveLength(1);
      expect(second.stderr).toMatch(/in use by process \d+/);
    });

    it('answers unknown routes with the one error shape', async () => {
      const response = await fetch(`${server.url}/nope`);
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({
        error: { code: 'NOT_FOUND', message: 'no route for GET /nope', requestId: expect.any(String) },
      });
    });
  });
});

describe.runIf(inject('postgres'))('trueup serve on PostgreSQL', () => {
  it('answers /health with postgres', async () => {
    const db = await createTestDatabase('postgres');
    const server = await startServer({ DATA_DIR: tempDataDir(), DATABASE_URL: db.url! });
    const body = await (await fetch(`${server.url}/health`)).json();
    expect(await server.stop()).toBe(0);
    await db.close();
    expect(body).toMatchObject({ status: 'ok', database: 'postgres' });
  });
});

describe('configuration and database errors', () => {
  it('PORT=notaport prints one line and exits 2', async () => {
    const result = await runTrueup(['serve'], { PORT: 'notaport', DATA_DIR: tempDataDir() });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('trueup: configuration error: PORT must be a port number (got "notaport")\n');
  });

  it('an unreachable DATABASE_URL prints one line, no stack, and exits non-zero', async () => {
    const result = await runTrueup(['serve'], {
      DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere',
      DATA_DIR: tempDataDir(),
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'trueup: cannot reach PostgreSQL at 127.0.0.1:1/nowhere: connect ECONNREFUSED 127.0.0.1:1\n',
    );
  });

  it('every command answers --help, and bad usage exits 2', async () => {
    for (const command of ['serve', 'migrate']) {
      const result = await runTrueup([command, '--help']);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`usage: trueup ${command}`);
    }
    expect((await runTrueup(['--help'])).stdout).toContain('commands:');
    const unknown = await runTrueup(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
    const badFlag = await runTrueup(['migrate', '--bogus']);
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toContain("Unknown option '--bogus'");
  });

  it('migrate applies once, then reports the schema is up to date', async () => {
    const dataDir = tempDataDir();
    expect((await runTrueup(['migrate'], { DATA_DIR: dataDir })).stdout).toMatch(
      /^applied [1-9]\d* migration\(s\) to pglite\n$/,
    );
    expect((await runTrueup(['migrate'], { DATA_DIR: dataDir })).stdout).toBe(
      'pglite schema is up to date\n',
    );
  });
});
