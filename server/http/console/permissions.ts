import type { TokenRole } from '../../db/schema/values.ts';

/**
 * What each role may do in the console (API.md "Roles"): an admin everything, an operator runs,
 * applies dry-run plans and resolves disputes, a viewer only reads. Pages hide the buttons a role
 * lacks and every POST checks again, so a forged form gets 403.
 */
export const consoleActions = [
  'editSystems',
  'testConnection',
  'editConfigs',
  'editPolicies',
  'runPolicySample',
  'startRuns',
  'applyPlan',
  'applyHeldPlan',
  'resolveDisputes',
] as const;
export type ConsoleAction = (typeof consoleActions)[number];

const operatorActions: ReadonlySet<ConsoleAction> = new Set([
  'testConnection',
  'runPolicySample',
  'startRuns',
  'applyPlan',
  'resolveDisputes',
]);

export function can(role: TokenRole, action: ConsoleAction): boolean {
  switch (role) {
    case 'admin':
      return true;
    case 'operator':
      return operatorActions.has(action);
    case 'viewer':
      return false;
    default: {
      const unknown: never = role;
      throw new Error(`unknown role ${String(unknown)}`);
    }
  }
}
