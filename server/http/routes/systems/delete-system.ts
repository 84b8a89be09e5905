import { unhandled } from '../../../services/outcomes.ts';
import { ApiError } from '../../errors.ts';
import { defineRoute, pathParam } from '../../route.ts';

export const deleteSystemRoute = defineRoute({
  method: 'DELETE',
  path: '/api/systems/:id',
  tag: 'systems',
  summary: 'Remove a managed system with its recon configs and links (run history stays)',
  status: 204,
  handler: (services) => async (c) => {
    const id = pathParam(c, 'id');
    const removed = await services.systems.remove(id);
    switch (removed.outcome) {
      case 'deleted':
        return c.body(null, 204);
      case 'not_found':
        throw new ApiError('NOT_FOUND', `no managed system with id "${id}"`);
      default:
        return unhandled(removed);
    }
  },
});
