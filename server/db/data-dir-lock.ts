import { createHash } from 'node:crypto';
import { mkdirSync, realpathSync, rmSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import path from 'node:path';
import { DatabaseUnavailableError } from './errors.ts';

/**
 * PGlite is one process's database: a second process opening the same folder would corrupt it.
 * The lock is a listening Unix-domain socket, which the kernel closes the moment its holder dies
 * (kill -9 included), so a supervisor's immediate restart always starts; no pid file can go stale.
 * On Linux the socket lives in the abstract namespace (no file at all); elsewhere it is
 * `DATA_DIR/pglite.sock`, and a socket nobody answers on is a dead holder's, removed and retaken.
 * The holder answers each connection with its pid, for the "in use by process N" message.
 */
export async function acquireDataDirLock(dataDir: string): Promise<() => void> {
  mkdirSync(dataDir, { recursive: true });
  const address = lockAddress(realpathSync(dataDir));
  for (let attempt = 0; attempt < 3; attempt++) {
    const server = await listen(address);
    if (server) {
      return () => {
        server.close();
        if (!address.startsWith('\0')) rmSync(address, { force: true });
      };
    }
    const holder = await askHolder(address);
    if (holder !== null) {
      throw new DatabaseUnavailableError(
        `the embedded database in ${dataDir} is in use by ${holder ? `process ${holder}` : 'another process'}; stop it, or use the HTTP API of that server`,
      );
    }
    // Only a socket file can outlive its holder: nobody answers, so it is a leftover.
    if (!address.startsWith('\0')) rmSync(address, { force: true });
  }
  throw new DatabaseUnavailableError(`cannot lock the embedded database in ${dataDir}`);
}

function lockAddress(dataDir: string): string {
  if (process.platform === 'linux') {
    return `\0trueup-pglite-${createHash('sha256').update(dataDir).digest('hex').slice(0, 32)}`;
  }
  return path.join(dataDir, 'pglite.sock');
}

/** The listening lock, or null when someone else holds the address. */
function listen(address: string): Promise<Server | null> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => socket.end(`${process.pid}\n`));
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') resolve(null);
      else reject(error);
    });
    server.listen(address, () => {
      // The lock must not keep a finished CLI command alive.
      server.unref();
      resolve(server);
    });
  });
}

/** The holder's pid (0 when it accepts but does not say), or null when nothing listens. */
function askHolder(address: string): Promise<number | null> {
  return new Promise((resolve) => {
    let answer = '';
    let connected = false;
    const socket = connect(address, () => {
      connected = true;
    });
    socket.setTimeout(5000, () => socket.destroy());
    socket.on('data', (chunk) => {
      answer += chunk;
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      const pid = Number(answer.trim());
      resolve(connected ? (Number.isInteger(pid) && pid > 0 ? pid : 0) : null);
    });
  });
}
