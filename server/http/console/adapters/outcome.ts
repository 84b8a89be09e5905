/**
 * Outcomes the console's adapters share: the services layer's own (`server/services/outcomes.ts`).
 */
export { type Invalid, unhandled } from '../../../services/outcomes.ts';

export type NotFound = { outcome: 'not_found' };
