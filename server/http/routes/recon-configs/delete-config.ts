import { unhandled } from '../../../services/outcomes.ts';
import { ApiError } from '../../errors.ts';
import { defineRoute, pathParam } from '../../route.ts';

export const deleteConfigRoute = defineRoute({
  method: 'DELETE',
  path: '/api/recon-configs/:id',
  tag: 'recon-configs',
  summary: 'Remove a reconciliation config (its runs stay in the history)',
  status: 204,
  handler: (services) => async (c) => {
    const id = pathParam(c, 'id');
    const removed = await services.configs.remove(id);
    switch (removed.outcome) {
      case 'deleted':
        return c.body(null, 204);
      case 'not_found':
        throw new ApiError('NOT_FOUND', `no reconciliation config with id "${id}"`);
      default:
        return unhandled(removed);
    }
  },
});
