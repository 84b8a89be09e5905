import { defineTargetQuery } from 'trueup:policy';

/**
 * Only people HR lists as active count: someone marked terminated disappears from the source, so
 * their IDM user lands in IDM_EXISTS__RESOURCE_NOT_EXISTS and is disabled.
 */
export default defineTargetQuery(() => ({ type: 'csv', where: { employmentStatus: 'active' } }));
