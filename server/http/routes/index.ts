import type { Services } from '../../services/index.ts';
import { roleExtension } from '../api-route.ts';
import type { ApiApp } from '../app-env.ts';
import { registerListConnectorTypes } from './connector-types.ts';
import { registerListDisputes } from './disputes/list-disputes.ts';
import { registerResolveDispute } from './disputes/resolve-dispute.ts';
import { registerDocs } from './docs.ts';
import { registerHealth } from './health.ts';
import { registerGetIdmObject } from './idm/get-idm-object.ts';
import { registerLinkIdmObject } from './idm/link-idm-object.ts';
import { registerListIdmObjects } from './idm/list-idm-objects.ts';
import { registerSetIdmStatus } from './idm/set-idm-status.ts';
import { registerUnlinkIdmObject } from './idm/unlink-idm-object.ts';
import { registerGetPolicy } from './policies/get-policy.ts';
import { registerListPolicies } from './policies/list-policies.ts';
import { registerSavePolicy } from './policies/save-policy.ts';
import { registerTestPolicy } from './policies/test-policy.ts';
import { registerCreateConfig } from './recon-configs/create-config.ts';
import { registerDeleteConfig } from './recon-configs/delete-config.ts';
import { registerGetConfig } from './recon-configs/get-config.ts';
import { registerListConfigs } from './recon-configs/list-configs.ts';
import { registerUpdateConfig } from './recon-configs/update-config.ts';
import { registerApplyRun } from './runs/apply-run.ts';
import { registerCancelRun } from './runs/cancel-run.ts';
import { registerDiffRuns } from './runs/diff-runs.ts';
import { registerDoNothingCsv } from './runs/do-nothing-csv.ts';
import { registerEventsCsv } from './runs/events-csv.ts';
import { registerExplainEvent } from './runs/explain-event.ts';
import { registerGetEvent } from './runs/get-event.ts';
import { registerGetReport } from './runs/get-report.ts';
import { registerGetRun } from './runs/get-run.ts';
import { registerListEvents } from './runs/list-events.ts';
import { registerListRuns } from './runs/list-runs.ts';
import { registerReplayRun } from './runs/replay-run.ts';
import { registerStartRun } from './runs/start-run.ts';
import { registerUndoRun } from './runs/undo-run.ts';
import { registerListSchedules } from './schedules/list-schedules.ts';
import { registerCreateSystem } from './systems/create-system.ts';
import { registerDeleteSystem } from './systems/delete-system.ts';
import { registerGetSystem } from './systems/get-system.ts';
import { registerListSystemAccounts } from './systems/list-system-accounts.ts';
import { registerListSystems } from './systems/list-systems.ts';
import { registerReceiveChanges } from './systems/receive-changes.ts';
import { registerTestSystem } from './systems/test-system.ts';
import { registerUpdateSystem } from './systems/update-system.ts';
import { registerUploadSystemFile } from './systems/upload-system-file.ts';
import { registerCreateToken } from './tokens/create-token.ts';
import { registerListTokens } from './tokens/list-tokens.ts';
import { registerRevokeToken } from './tokens/revoke-token.ts';

/**
 * Every route, each registered by its own file. A new route: one file with its `createRoute`
 * (including `...access(role)`) and `register…(app, services)`, then one line here.
 * Order matters only where paths overlap: `/api/policies/test` before `/api/policies/{path}`,
 * `events.csv` before `events/{eventId}`.
 */
const registrations: Array<(app: ApiApp, services: Services) => void> = [
  registerHealth,
  registerDocs,
  registerCreateSystem,
  registerListSystems,
  registerListSystemAccounts,
  registerGetSystem,
  registerUpdateSystem,
  registerDeleteSystem,
  registerTestSystem,
  registerUploadSystemFile,
  registerReceiveChanges,
  registerListConnectorTypes,
  registerCreateConfig,
  registerListConfigs,
  registerGetConfig,
  registerUpdateConfig,
  registerDeleteConfig,
  registerStartRun,
  registerListRuns,
  registerGetRun,
  registerApplyRun,
  registerCancelRun,
  registerUndoRun,
  registerReplayRun,
  registerDiffRuns,
  registerEventsCsv,
  registerGetReport,
  registerDoNothingCsv,
  registerListSchedules,
  registerListEvents,
  registerGetEvent,
  registerExplainEvent,
  registerListDisputes,
  registerResolveDispute,
  registerListIdmObjects,
  registerSetIdmStatus,
  registerLinkIdmObject,
  registerUnlinkIdmObject,
  registerGetIdmObject,
  registerSavePolicy,
  registerListPolicies,
  registerTestPolicy,
  registerGetPolicy,
  registerCreateToken,
  registerListTokens,
  registerRevokeToken,
];

/** `/api` routes that take no bearer token, each with its own check (`method path`, OpenAPI form). */
const publicApiRoutes = new Set<string>([
  // The live-changes webhook: the system signs each body with its webhook secret (checked by
  // services/live-changes.ts before anything is read or stored).
  'post /api/systems/{id}/changes',
]);

export function registerApiRoutes(app: ApiApp, services: Services) {
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  for (const register of registrations) register(app, services);
  // A route under /api without a declared role would be reachable without a token: refuse to start.
  for (const definition of app.openAPIRegistry.definitions) {
    if (definition.type !== 'route' || !definition.route.path.startsWith('/api/')) continue;
    const { method, path } = definition.route;
    const role = (definition.route as unknown as Record<string, unknown>)[roleExtension];
    if (typeof role !== 'string')
      throw new Error(`route ${method} ${path} declares no role: add ...access(role)`);
    if (role === 'public' && !publicApiRoutes.has(`${method} ${path}`)) {
      throw new Error(
        `route ${method} ${path} is public under /api: list it in publicApiRoutes with its check`,
      );
    }
  }
}
