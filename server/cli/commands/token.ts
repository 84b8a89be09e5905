import { loadConfig } from '../../config.ts';
import { type TokenRole, tokenRoles } from '../../core/model.ts';
import type { TokenView } from '../../services/tokens.ts';
import { type Command, type Parsed, UsageError } from '../command.ts';
import { findLocalServer } from '../local-server.ts';
import { formatTable } from './history.ts';

/** What a token subcommand needs, from the running server's API or from the database itself. */
type Tokens = {
  list(): Promise<TokenView[]>;
  /** The new token and its secret, or why not (already said on stderr): an exit code. */
  create(name: string, role: TokenRole): Promise<{ token: TokenView; secret: string } | number>;
  /** The revoked token, or an exit code with the reason already said. */
  revoke(ref: string): Promise<TokenView | number>;
};

const say = (message: string) => process.stderr.write(`trueup token: ${message}\n`);

/**
 * While `trueup serve` holds the embedded database the server is asked, as `trueup run` does;
 * otherwise (no server, or PostgreSQL) the token service runs in this process.
 */
async function withTokens(fn: (tokens: Tokens) => Promise<number>): Promise<number> {
  const config = loadConfig();
  const server = findLocalServer(config);
  const { pickToken } = await import('../../services/tokens.ts');
  if (server) {
    const { createApiClient } = await import('../api-client.ts');
    const client = createApiClient(server);
    const list = async () => (await client.json<{ items: TokenView[] }>('GET', '/api/tokens')).items;
    return fn({
      list,
      async create(name, role) {
        const { token: secret, ...token } = await client.json<TokenView & { token: string }>(
          'POST',
          '/api/tokens',
          { name, role },
        );
        return { token, secret };
      },
      async revoke(ref) {
        const picked = pickToken(await list(), ref);
        if (picked.outcome !== 'found') return refusal(ref, picked);
        return client.json<TokenView>('DELETE', `/api/tokens/${encodeURIComponent(picked.id)}`);
      },
    });
  }
  const { withLocalServices } = await import('../local-services.ts');
  return withLocalServices(config, ({ tokens }) =>
    fn({
      list: () => tokens.list(),
      async create(name, role) {
        const created = await tokens.create({ name, role });
        if (created.outcome === 'created') return created;
        say(`${created.path} ${created.message}`);
        return 2;
      },
      async revoke(ref) {
        const revoked = await tokens.revokeByRef(ref);
        return revoked.outcome === 'revoked' ? revoked.token : refusal(ref, revoked);
      },
    }),
  );
}

function refusal(
  ref: string,
  why: { outcome: 'not_found' | 'already_revoked' | 'last_admin' } | { outcome: 'ambiguous'; ids: string[] },
): number {
  switch (why.outcome) {
    case 'not_found':
      say(`no token with id or name "${ref}" (see trueup token list)`);
      return 1;
    case 'already_revoked':
      say(`token "${ref}" is revoked already`);
      return 1;
    case 'last_admin':
      say(`token "${ref}" is the last live admin token; create another admin token before revoking it`);
      return 1;
    case 'ambiguous':
      say(`${why.ids.length} live tokens are named "${ref}"; give one of their ids: ${why.ids.join(', ')}`);
      return 1;
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
  return withTokens(async (tokens) => {
    const created = await tokens.create(name, role as TokenRole);
    if (typeof created === 'number') return created;
    process.stdout.write(`${created.secret}\n`);
    process.stderr.write(
      `created ${created.token.role} token "${created.token.name}" (id ${created.token.id}); it is shown only once\n`,
    );
    return 0;
  });
}

async function list({ positionals }: Parsed): Promise<number> {
  if (positionals.length !== 1) throw new UsageError(`unexpected argument "${positionals[1]}"`);
  return withTokens(async (tokens) => {
    const rows = (await tokens.list()).map((t) => [
      t.id,
      t.role,
      `${t.prefix}…`,
      t.createdAt,
      t.lastUsedAt ?? '-',
      t.revokedAt ? `revoked ${t.revokedAt}` : 'active',
      t.name,
    ]);
    process.stdout.write(
      formatTable(['ID', 'ROLE', 'PREFIX', 'CREATED', 'LAST USED', 'STATE', 'NAME'], rows),
    );
    return 0;
  });
}

async function revoke({ positionals }: Parsed): Promise<number> {
  const [, ref, ...extra] = positionals;
  if (!ref) throw new UsageError('a token id or name is required (see trueup token list)');
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  return withTokens(async (tokens) => {
    const revoked = await tokens.revoke(ref);
    if (typeof revoked === 'number') return revoked;
    process.stdout.write(`revoked ${revoked.role} token "${revoked.name}" (id ${revoked.id})\n`);
    return 0;
  });
}

export const tokenCommand: Command = {
  name: 'token',
  summary: 'Create, list or revoke API tokens (a token is printed once; only its hash is stored).',
  usage: `token create --role <${tokenRoles.join('|')}> [--name <name>] | token list | token revoke <id|name>`,
  help: [
    'Roles: viewer tokens read; operator tokens also start runs, apply plans and resolve disputes;',
    'admin tokens may do everything (systems, configs, policies, held plans, tokens).',
    "The token's name is recorded as who started, applied or decided (trueup history shows it).",
    'create prints the token on stdout once; keep it, it cannot be shown again.',
    'revoke refuses it at once, in the API and in console sessions; the last admin token stays.',
    'While trueup serve runs on the embedded database, these ask the server (with DATA_DIR/admin.token).',
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
