import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { adminTokenFile } from '../auth/tokens.ts';
import type { Config } from '../config.ts';
import { isProcessAlive } from '../process-alive.ts';

/**
 * The embedded database belongs to one process. While `trueup serve` holds DATA_DIR, CLI commands
 * reach the data through that server's API instead: serve records its address here, and the CLI
 * authenticates with the admin token in DATA_DIR/admin.token.
 */
const serverFile = 'server.json';

type ServerRecord = { pid: number; url: string };

export type LocalServer = { url: string; token: string };

export function recordLocalServer(dataDir: string, url: string): () => void {
  const file = path.join(dataDir, serverFile);
  writeFileSync(file, JSON.stringify({ pid: process.pid, url } satisfies ServerRecord), { mode: 0o600 });
  return () => rmSync(file, { force: true });
}

function readRecord(dataDir: string): ServerRecord | null {
  try {
    const record = JSON.parse(readFileSync(path.join(dataDir, serverFile), 'utf8')) as Partial<ServerRecord>;
    if (typeof record.pid !== 'number' || typeof record.url !== 'string') return null;
    return isProcessAlive(record.pid) ? { pid: record.pid, url: record.url } : null;
  } catch {
    return null;
  }
}

/** Thrown when a server holds DATA_DIR but the CLI has no way to authenticate to it. */
export class LocalServerTokenError extends Error {
  override name = 'LocalServerTokenError';
}

/**
 * The running server that owns this DATA_DIR's embedded database, or null when the CLI may open
 * the database itself (PostgreSQL is shared by every process; no server is running).
 */
export function findLocalServer(config: Pick<Config, 'databaseUrl' | 'dataDir'>): LocalServer | null {
  if (config.databaseUrl) return null;
  const record = readRecord(config.dataDir);
  if (!record) return null;
  const tokenPath = path.join(config.dataDir, adminTokenFile);
  try {
    return { url: record.url, token: readFileSync(tokenPath, 'utf8').trim() };
  } catch {
    throw new LocalServerTokenError(
      `the server (pid ${record.pid}) holds ${config.dataDir}; the CLI talks to it with the admin token in ${tokenPath}, which is missing — create one with the API or stop the server`,
    );
  }
}
