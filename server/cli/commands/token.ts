import { loadConfig } from '../../config.ts';
import type { Database } from '../../db/client.ts';
import { type TokenRole, tokenRoles } from '../../db/schema/values.ts';
import { type Command, type Parsed, UsageError } from '../command.ts';
import { formatTable } from './history.ts';

async function withDatabase<T>(fn: (db: Database) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const [{ migrateDatabase }, { openConfiguredDatabase }] = await Promise.all([
    import('../../db/migrate.ts'),
    import('../../db/open.ts'),
  ]);
  const db = await openConfiguredDatabase(config);
  try {
    await migrateDatabase(db);
    return await fn(db);
  } finally {
    await db.close();
  }
}

async function create({ values, positionals }: Parsed): Promise<number> {
  if (positionals.length !== 1) throw new UsageError(`unexpected argument "${positionals[1]}"`);
  const role = values.role;
  if (typeof role !== 'string') throw new UsageError('--role is required');
  if (!(tokenRoles as readonly string[]).includes(role)) {
    throw new UsageError(`--role must be one of ${tokenRoles.join(', ')} (got "${role}")`);
  }
  const name = typeof values.name === 'string' && values.name.trim() ? values.name.trim() : `${role} token`;
  const { issueToken } = await import('../../auth/issue-token.ts');
  const issued = await withDatabase((db) => issueToken(db, role as TokenRole, name));
  process.stdout.write(`${issued.token}\n`);
  process.stderr.write(
    `created ${issued.role} token "${issued.name}" (id ${issued.id}); it is shown only once\n`,
  );
  return 0;
}

async function list({ positionals }: Parsed): Promise<number> {
  if (positionals.length !== 1) throw new UsageError(`unexpected argument "${positionals[1]}"`);
  const { listTokens } = await import('../../auth/token-admin.ts');
  const tokens = await withDatabase(listTokens);
  const rows = tokens.map((t) => [
    t.id,
    t.role,
    `${t.prefix}…`,
    t.createdAt.toISOString(),
    t.lastUsedAt?.toISOString() ?? '-',
    t.revokedAt ? `revoked ${t.revokedAt.toISOString()}` : 'active',
    t.name,
  ]);
  process.stdout.write(formatTable(['ID', 'ROLE', 'PREFIX', 'CREATED', 'LAST USED', 'STATE', 'NAME'], rows));
  return 0;
}

async function revoke({ positionals }: Parsed): Promise<number> {
  const [, id, ...extra] = positionals;
  if (!id) throw new UsageError('a token id is required (see trueup token list)');
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const { revokeToken } = await import('../../auth/token-admin.ts');
  if (!(await withDatabase((db) => revokeToken(db, id)))) {
    process.stderr.write(`trueup token: no active token with id "${id}"\n`);
    return 1;
  }
  process.stdout.write(`revoked token ${id}\n`);
  return 0;
}

export const tokenCommand: Command = {
  name: 'token',
  summary: 'Create, list or revoke API tokens (a token is printed once; only its hash is stored).',
  usage: `token create --role <${tokenRoles.join('|')}> [--name <name>] | token list | token revoke <id>`,
  help: [
    'Roles: viewer tokens read; operator tokens also start runs, apply plans and resolve disputes;',
    'admin tokens may do everything (systems, configs, policies, held plans).',
    "The token's name is recorded as who started, applied or decided (trueup history shows it).",
    'create prints the token on stdout once; keep it, it cannot be shown again.',
    '',
    'options (create):',
    `  --role <${tokenRoles.join('|')}>   the token's role (required)`,
    '  --name <name>           who or what uses it, e.g. ci-bot (default: "<role> token")',
    '',
    'Example: trueup token create --role operator --name ci-bot',
  ].join('\n'),
  options: {
    help: { type: 'boolean', short: 'h' },
    role: { type: 'string' },
    name: { type: 'string' },
  },
  async run(args) {
    const sub = args.positionals[0];
    switch (sub) {
      case 'create':
        return create(args);
      case 'list':
        return list(args);
      case 'revoke':
        return revoke(args);
      default:
        throw new UsageError(sub ? `unknown subcommand "${sub}"` : 'missing subcommand');
    }
  },
};
