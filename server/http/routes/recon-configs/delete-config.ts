import { eq } from 'drizzle-orm';
import { reconConfigs } from '../../../db/schema/recon-configs.ts';
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
    const deleted = await services.db.orm
      .delete(reconConfigs)
      .where(eq(reconConfigs.id, id))
      .returning({ id: reconConfigs.id });
    if (deleted.length === 0) throw new ApiError('NOT_FOUND', `no reconciliation config with id "${id}"`);
    await services.scheduler.configChanged(id);
    return c.body(null, 204);
  },
});
