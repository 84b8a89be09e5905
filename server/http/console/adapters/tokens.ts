import type { Services } from '../../../services/index.ts';
import type { CreateTokenOutcome, RevokeTokenOutcome, TokenView } from '../../../services/tokens.ts';

/** API tokens for the console: the same use cases as `/api/tokens`. */
export type { CreateTokenOutcome, RevokeTokenOutcome, TokenView };

export function tokensAdapter(services: Services) {
  const { tokens } = services;
  return {
    list: () => tokens.list(),
    create: (name: string, role: TokenView['role']) => tokens.create({ name, role }),
    revoke: (id: string) => tokens.revoke(id),
  };
}
