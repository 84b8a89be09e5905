import { eq } from 'drizzle-orm';
import { managedSystems } from '../../../db/schema/managed-systems.ts';
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
    const deleted = await services.db.orm
      .delete(managedSystems)
      .where(eq(managedSystems.id, id))
      .returning({ id: managedSystems.id });
    if (deleted.length === 0) throw new ApiError('NOT_FOUND', `no managed system with id "${id}"`);
    return c.body(null, 204);
  },
});
