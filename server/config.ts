import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/**
 * The only place that reads `process.env`. Everything else receives a parsed `Config`.
 */
/** A run whose server stopped beating this long (ms) is taken over: RUN_STALE_MS's default. */
export const defaultRunStaleMs = 60_000;

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
/** `auto`: readable lines on a terminal, JSON anywhere else. */
const logFormats = ['auto', 'json', 'pretty'] as const;

const emptyToUndefined = (value: unknown) => (value === '' ? undefined : value);

const envSchema = z.object({
  DATABASE_URL: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
      .optional(),
  ),
  PORT: z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ error: 'must be a port number' })
      .int('must be a whole number')
      .min(0, 'must be between 0 and 65535')
      .max(65535, 'must be between 0 and 65535')
      .default(8080),
  ),
  HOST: z.preprocess(emptyToUndefined, z.string().default('127.0.0.1')),
  DATA_DIR: z.preprocess(emptyToUndefined, z.string().default('./data')),
  SMTP_URL: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
      .optional(),
  ),
  MAIL_FROM: z.preprocess(emptyToUndefined, z.string().default('trueup <trueup@localhost>')),
  LOG_LEVEL: z.preprocess(emptyToUndefined, z.enum(logLevels).default('info')),
  LOG_FORMAT: z.preprocess(emptyToUndefined, z.enum(logFormats).default('auto')),
  SECRET_KEY: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex characters (32 bytes)')
      .optional(),
  ),
  SANDBOX_MEMORY_MB: z.preprocess(emptyToUndefined, z.coerce.number().int().min(8).max(4096).default(128)),
  SANDBOX_TIMEOUT_MS: z.preprocess(
    emptyToUndefined,
    z.coerce.number().int().min(10).max(600_000).default(2000),
  ),
  SANDBOX_RUN_CPU_MS: z.preprocess(
    emptyToUndefined,
    z.coerce.number().int().min(100).max(86_400_000).default(600_000),
  ),
  SHUTDOWN_TIMEOUT_MS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).default(10_000)),
  RUN_RETENTION_DAYS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).default(90)),
  IDM_RESTORE_DAYS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).default(30)),
  REPLAY_SNAPSHOTS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(100).default(3)),
  LIVE_SWEEP_MS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(50).default(1000)),
  PUBLIC_URL: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^https?:\/\/[^\s]+$/, 'must be an http:// or https:// URL')
      .optional(),
  ),
  RUN_STALE_MS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1000).default(defaultRunStaleMs)),
  SCHEDULE_SYNC_MS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(100).default(15_000)),
  MAIL_RETRY_MS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(10).default(30_000)),
  DEMO_WORKSPACE: z.preprocess(emptyToUndefined, z.enum(['auto', 'on', 'off']).default('auto')),
  CONNECTORS_DIR: z.preprocess(emptyToUndefined, z.string().optional()),
});

export type Env = z.infer<typeof envSchema>;

export type Config = {
  databaseUrl: string | undefined;
  port: number;
  host: string;
  dataDir: string;
  smtpUrl: string | undefined;
  mailFrom: string;
  logLevel: (typeof logLevels)[number];
  /** How logs look: `auto` is readable on a terminal and JSON otherwise. */
  logFormat: (typeof logFormats)[number];
  secretKey: Buffer;
  sandbox: { memoryMb: number; timeoutMs: number; runCpuMs: number };
  shutdownTimeoutMs: number;
  runRetentionDays: number;
  /** How long an undo can bring a deleted IDM object back whole (its row stays soft-deleted). */
  idmRestoreDays: number;
  /** How often waiting live changes are looked for (docs/api.md "Live changes"). */
  /** How many of a config's last full runs keep their snapshot for replays. */
  replaySnapshots: number;
  liveSweepMs: number;
  /** Base of links in mail and reports (default `http://HOST:PORT`). */
  publicUrl: string | undefined;
  /** A run whose heartbeat is older than this is taken over by another server. */
  runStaleMs: number;
  /** How often a server re-reads the configs, to pick up schedules another server changed. */
  scheduleSyncMs: number;
  /** First retry delay of a mail that could not be sent; doubles per attempt. */
  mailRetryMs: number;
  /** Load the example workspace into an empty database: `auto` does so on the embedded database only. */
  demoWorkspace: 'auto' | 'on' | 'off';
  /** The folder of connector plugins (trusted code, loaded at start-up); unset = none. */
  connectorsDir: string | undefined;
};

/** A configuration problem a person can fix; printed as one line, exit code 2. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function parseEnv(env: Record<string, string | undefined>): Env {
  const result = envSchema.safeParse(env);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const variable = String(issue.path[0] ?? 'environment');
  const value = env[variable];
  const shown = variable === 'SECRET_KEY' || variable === 'DATABASE_URL' ? '' : ` (got "${value}")`;
  throw new ConfigError(`${variable} ${issue.message}${shown}`);
}

/** Reads SECRET_KEY, or the key generated into DATA_DIR on first start. */
function loadSecretKey(env: Env, dataDir: string): Buffer {
  if (env.SECRET_KEY) return Buffer.from(env.SECRET_KEY, 'hex');
  const keyFile = path.join(dataDir, 'secret.key');
  try {
    const stored = readFileSync(keyFile, 'utf8').trim();
    if (!/^[0-9a-fA-F]{64}$/.test(stored)) {
      throw new ConfigError(`${keyFile} does not hold a 64-hex-character key; fix it or set SECRET_KEY`);
    }
    return Buffer.from(stored, 'hex');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = randomBytes(32);
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(keyFile, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  return key;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = parseEnv(env);
  const dataDir = path.resolve(parsed.DATA_DIR);
  return {
    databaseUrl: parsed.DATABASE_URL,
    port: parsed.PORT,
    host: parsed.HOST,
    dataDir,
    smtpUrl: parsed.SMTP_URL,
    mailFrom: parsed.MAIL_FROM,
    logLevel: parsed.LOG_LEVEL,
    logFormat: parsed.LOG_FORMAT,
    secretKey: loadSecretKey(parsed, dataDir),
    sandbox: {
      memoryMb: parsed.SANDBOX_MEMORY_MB,
      timeoutMs: parsed.SANDBOX_TIMEOUT_MS,
      runCpuMs: parsed.SANDBOX_RUN_CPU_MS,
    },
    shutdownTimeoutMs: parsed.SHUTDOWN_TIMEOUT_MS,
    runRetentionDays: parsed.RUN_RETENTION_DAYS,
    idmRestoreDays: parsed.IDM_RESTORE_DAYS,
    replaySnapshots: parsed.REPLAY_SNAPSHOTS,
    liveSweepMs: parsed.LIVE_SWEEP_MS,
    publicUrl: parsed.PUBLIC_URL?.replace(/\/+$/, ''),
    runStaleMs: parsed.RUN_STALE_MS,
    scheduleSyncMs: parsed.SCHEDULE_SYNC_MS,
    mailRetryMs: parsed.MAIL_RETRY_MS,
    demoWorkspace: parsed.DEMO_WORKSPACE,
    connectorsDir: parsed.CONNECTORS_DIR ? path.resolve(parsed.CONNECTORS_DIR) : undefined,
  };
}

/** The configuration table for the README and `trueup serve --help`. */
export const configHelp: ReadonlyArray<[name: string, meaning: string]> = [
  ['DATABASE_URL', 'PostgreSQL URL; unset = embedded PGlite in DATA_DIR'],
  ['PORT', 'HTTP port (default 8080)'],
  ['HOST', 'address to listen on (default 127.0.0.1)'],
  ['DATA_DIR', 'embedded database, secret key, outbox (default ./data)'],
  ['SMTP_URL', 'smtp:// URL for reports; unset = files in DATA_DIR/outbox'],
  ['MAIL_FROM', 'sender of report emails'],
  ['LOG_LEVEL', 'fatal | error | warn | info | debug | trace | silent (default info)'],
  ['LOG_FORMAT', 'auto | json | pretty: readable lines or JSON (default auto: readable on a terminal only)'],
  ['SECRET_KEY', '64 hex chars encrypting secrets at rest; unset = generated into DATA_DIR/secret.key'],
  ['SANDBOX_MEMORY_MB', 'memory limit per policy isolate (default 128)'],
  ['SANDBOX_TIMEOUT_MS', 'time limit per policy call (default 2000)'],
  ['SANDBOX_RUN_CPU_MS', 'policy CPU budget per run (default 600000)'],
  ['SHUTDOWN_TIMEOUT_MS', 'how long shutdown waits for in-flight work (default 10000)'],
  ['RUN_RETENTION_DAYS', 'runs older than this are pruned (default 90)'],
  ['IDM_RESTORE_DAYS', 'an undo restores IDM objects deleted within this many days, whole (default 30)'],
  [
    'REPLAY_SNAPSHOTS',
    'how many last full runs of each config keep their snapshot for replays (default 3; 0 = none)',
  ],
  ['LIVE_SWEEP_MS', 'how often waiting live changes are drained (default 1000)'],
  ['PUBLIC_URL', 'base of run links in mail and reports (default http://HOST:PORT)'],
  [
    'RUN_STALE_MS',
    `a run whose server stopped beating this long is taken over (default ${defaultRunStaleMs})`,
  ],
  ['SCHEDULE_SYNC_MS', 'how often schedules changed by another server are picked up (default 15000)'],
  ['MAIL_RETRY_MS', 'first retry delay of a failed mail, doubling per attempt (default 30000)'],
  ['CONNECTORS_DIR', 'folder of connector plugins (trusted TypeScript modules); unset = built-in types only'],
  [
    'DEMO_WORKSPACE',
    'auto | on | off: example workspace in an empty database (auto = embedded database only)',
  ],
];
