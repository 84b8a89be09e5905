import { roleAllows } from '../../auth/roles.ts';
import type { TokenRole } from '../../core/model.ts';

/**
 * The role each console action needs: the same as the API route doing the same thing
 * (docs/api.md "Signing in, roles, errors", `server/auth/roles.ts`). Pages hide the buttons a role lacks and every POST
 * checks again, so a forged form gets 403.
 */
const needs = {
  editSystems: 'admin',
  testConnection: 'admin',
  editConfigs: 'admin',
  editPolicies: 'admin',
  runPolicySample: 'admin',
  replayPolicy: 'operator',
  startRuns: 'operator',
  applyPlan: 'operator',
  applyHeldPlan: 'admin',
  resolveDisputes: 'operator',
  cancelRuns: 'operator',
  undoRuns: 'admin',
  manageTokens: 'admin',
  editIdm: 'admin',
} as const satisfies Record<string, TokenRole>;

export type ConsoleAction = keyof typeof needs;

export function can(role: TokenRole, action: ConsoleAction): boolean {
  return roleAllows(role, needs[action]);
}
