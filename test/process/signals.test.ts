import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isProcessAlive } from '../../server/process-alive.ts';
import { repoRoot, startServer, tempDataDir } from '../helpers/server.ts';

const serverPid = (dataDir: string) =>
  (JSON.parse(readFileSync(path.join(dataDir, 'server.json'), 'utf8')) as { pid: number }).pid;

async function gone(pid: number, ms = 20_000) {
  const deadline = Date.now() + ms;
  while (isProcessAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  return !isProcessAlive(pid);
}

function env(dataDir: string): NodeJS.ProcessEnv {
  const { DATABASE_URL: _db, PORT: _port, SECRET_KEY: _key, ...rest } = process.env;
  return { ...rest, DATA_DIR: dataDir, PORT: '0', DEMO_WORKSPACE: 'off', LOG_LEVEL: 'info' };
}

/** `npm start` as a process manager runs it, resolved once the server listens. */
function npmStart(dataDir: string): Promise<{ npm: ChildProcess; output: () => string }> {
  return new Promise((resolve, reject) => {
    const npm = spawn('npm', ['start', '--silent'], { cwd: repoRoot, env: env(dataDir) });
    let output = '';
    const timer = setTimeout(() => reject(new Error(`npm start did not listen:\n${output}`)), 90_000);
    const onData = (chunk: Buffer) => {
      output += chunk;
      if (/listening on http/.test(output)) {
        clearTimeout(timer);
        resolve({ npm, output: () => output });
      }
    };
    npm.stdout.on('data', onData);
    npm.stderr.on('data', onData);
  });
}

describe('signals and restarts', () => {
  it('stops the server gracefully when the npm start process gets SIGTERM', async () => {
    const dataDir = tempDataDir();
    const { npm, output } = await npmStart(dataDir);
    const pid = serverPid(dataDir);
    expect(isProcessAlive(pid)).toBe(true);
    // 'close': npm has exited and every process writing to its output (the server) has too.
    const allClosed = new Promise((resolve) => npm.once('close', resolve));
    npm.kill('SIGTERM');
    expect(await gone(pid)).toBe(true);
    await allClosed;
    // The server hears SIGTERM itself or through its launcher, whichever comes first.
    expect(output()).toMatch(/"msg":"shutting down"/);
    expect(output()).toMatch(/"msg":"stopped"/);
  }, 120_000);

  it('stops the server gracefully when its launcher is killed with SIGKILL', async () => {
    const dataDir = tempDataDir();
    const server = await startServer({ DATA_DIR: dataDir }, 90_000);
    const pid = serverPid(dataDir);
    expect(pid).not.toBe(server.process.pid);
    await server.stop('SIGKILL');
    expect(await gone(pid)).toBe(true);
    expect(server.output()).toMatch(/"msg":"stopped"/);
  }, 120_000);

  it('stops the server gracefully on SIGHUP (a closed terminal), passed on by its launcher', async () => {
    const dataDir = tempDataDir();
    const server = await startServer({ DATA_DIR: dataDir }, 90_000);
    const pid = serverPid(dataDir);
    await server.stop('SIGHUP');
    expect(await gone(pid)).toBe(true);
    // The launcher exits after the server; the server's last lines may still be in the pipe.
    const deadline = Date.now() + 5_000;
    while (!/"msg":"stopped"/.test(server.output()) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(server.output()).toMatch(/"signal":"SIGHUP","msg":"shutting down"/);
    expect(server.output()).toMatch(/"msg":"stopped"/);
  }, 120_000);

  it('starts again at once on the same DATA_DIR after the server was killed with SIGKILL', async () => {
    const dataDir = tempDataDir();
    const first = await startServer({ DATA_DIR: dataDir }, 90_000);
    const exited = new Promise((resolve) => first.process.once('exit', resolve));
    process.kill(serverPid(dataDir), 'SIGKILL');
    await exited;
    const second = await startServer({ DATA_DIR: dataDir }, 90_000);
    try {
      const health = (await (await fetch(`${second.url}/health`)).json()) as { status: string };
      expect(health.status).toBe('ok');
      // While it runs, a second server on the same DATA_DIR is refused, naming the holder.
      const { runTrueup } = await import('../helpers/server.ts');
      const refused = await runTrueup(['migrate'], { DATA_DIR: dataDir });
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toMatch(new RegExp(`in use by process ${serverPid(dataDir)}`));
    } finally {
      await second.stop();
    }
  }, 180_000);
});
