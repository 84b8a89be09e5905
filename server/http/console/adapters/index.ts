import type { Services } from '../../../services/index.ts';
import { activityAdapter } from './activity.ts';
import { configsAdapter } from './configs.ts';
import { disputesAdapter } from './disputes.ts';
import { idmAdapter } from './idm.ts';
import { policiesAdapter } from './policies.ts';
import { reviewAdapter } from './review.ts';
import { systemsAdapter } from './systems.ts';

/**
 * Everything the console asks of the rest of trueup, one adapter per area. Pages and routes call
 * only these; each adapter calls the use case that the API calls, so nothing is done twice.
 */
export function consoleAdapters(services: Services) {
  return {
    systems: systemsAdapter(services),
    configs: configsAdapter(services),
    policies: policiesAdapter(services),
    activity: activityAdapter(services),
    review: reviewAdapter(services),
    disputes: disputesAdapter(services),
    idm: idmAdapter(services),
  };
}

export type ConsoleAdapters = ReturnType<typeof consoleAdapters>;
