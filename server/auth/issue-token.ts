import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import type { TokenRole } from '../core/model.ts';
import type { Database } from '../db/client.ts';
import { apiTokens } from '../db/schema/api-tokens.ts';
import type { Logger } from '../log.ts';
import { adminTokenFile, displayPrefix, generateToken, hashToken, type IssuedToken } from './tokens.ts';

/** Creates a token; the returned `token` is the only time it exists in clear. */
export async function issueToken(db: Database, role: TokenRole, name: string): Promise<IssuedToken> {
  const token = generateToken();
  const [row] = await db.orm
    .insert(apiTokens)
    .values({ name, role, tokenHash: hashToken(token), prefix: displayPrefix(token) })
    .returning({ id: apiTokens.id });
  return { id: row!.id, name, role, token };
}

/** Lock key for the first-start bootstrap, so servers sharing one PostgreSQL create one token. */
const bootstrapLockKey = 0x7472_7565;

/**
 * On a database without any token, creates an admin token and writes it to
 * DATA_DIR/admin.token (mode 0600), so a fresh install can be used at once. Logs the file's
 * path, never the token. Returns the path, or null when tokens already existed.
 */
export async function bootstrapAdminToken(
  db: Database,
  dataDir: string,
  log: Logger,
): Promise<string | null> {
  return db.withAdvisoryLock(bootstrapLockKey, async () => {
    const [existing] = await db.rows<{ n: number }>(sql`select count(*)::int as n from api_tokens`);
    if ((existing?.n ?? 0) > 0) return null;
    const issued = await issueToken(db, 'admin', 'bootstrap admin');
    mkdirSync(dataDir, { recursive: true });
    const file = path.join(dataDir, adminTokenFile);
    writeFileSync(file, `${issued.token}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
    log.info({ file }, `no API token existed: created an admin token in ${file}`);
    return file;
  });
}
