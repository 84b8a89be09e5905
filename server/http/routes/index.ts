import type { ApiRoute } from '../route.ts';
import { listConnectorTypesRoute } from './connector-types.ts';
import { listDisputesRoute } from './disputes/list-disputes.ts';
import { resolveDisputeRoute } from './disputes/resolve-dispute.ts';
import { getIdmRoutes } from './idm/get-idm-object.ts';
import { listIdmRoutes } from './idm/list-idm-objects.ts';
import { getPolicyRoute } from './policies-get.ts';
import { listPoliciesRoute } from './policies-list.ts';
import { savePolicyRoute } from './policies-save.ts';
import { testPolicyRoute } from './policies-test.ts';
import { createConfigRoute } from './recon-configs/create-config.ts';
import { deleteConfigRoute } from './recon-configs/delete-config.ts';
import { getConfigRoute } from './recon-configs/get-config.ts';
import { listConfigsRoute } from './recon-configs/list-configs.ts';
import { updateConfigRoute } from './recon-configs/update-config.ts';
import { applyRunRoute } from './runs/apply-run.ts';
import { eventsCsvRoute } from './runs/events-csv.ts';
import { getEventRoute } from './runs/get-event.ts';
import { getRunRoute } from './runs/get-run.ts';
import { listEventsRoute } from './runs/list-events.ts';
import { listRunsRoute } from './runs/list-runs.ts';
import { startRunRoute } from './runs/start-run.ts';
import { createSystemRoute } from './systems/create-system.ts';
import { deleteSystemRoute } from './systems/delete-system.ts';
import { getSystemRoute } from './systems/get-system.ts';
import { listSystemsRoute } from './systems/list-systems.ts';
import { receiveChangesRoute } from './systems/receive-changes.ts';
import { testSystemRoute } from './systems/test-system.ts';
import { updateSystemRoute } from './systems/update-system.ts';
import { uploadSystemFileRoute } from './systems/upload-system-file.ts';

/** Every /api route described by a route file, in registration order. */
export const apiRoutes: ApiRoute[] = [
  createSystemRoute,
  listSystemsRoute,
  getSystemRoute,
  updateSystemRoute,
  deleteSystemRoute,
  testSystemRoute,
  uploadSystemFileRoute,
  receiveChangesRoute,
  listConnectorTypesRoute,
  createConfigRoute,
  listConfigsRoute,
  getConfigRoute,
  updateConfigRoute,
  deleteConfigRoute,
  startRunRoute,
  listRunsRoute,
  getRunRoute,
  applyRunRoute,
  eventsCsvRoute,
  listEventsRoute,
  getEventRoute,
  listDisputesRoute,
  resolveDisputeRoute,
  ...listIdmRoutes,
  ...getIdmRoutes,
  savePolicyRoute,
  listPoliciesRoute,
  testPolicyRoute,
  getPolicyRoute,
];
