import { createRoute, z } from '@hono/zod-openapi';
import type { Services } from '../../../services/index.ts';
import { unhandled } from '../../../services/outcomes.ts';
import { access, errorResponses, idParams, json, jsonBody } from '../../api-route.ts';
import type { ApiApp } from '../../app-env.ts';
import { ApiError, invalidInput } from '../../errors.ts';
import {
  liveChangesSchema,
  outboundMappingSchema,
  type SystemResponse,
  systemSchema,
} from './system-schema.ts';

/**
 * A partial change. `connection` is merged over the stored one: a secret sent as "********"
 * keeps the stored secret, `null` removes a field.
 */
export const updateSystemBody = z.strictObject({
  name: z.string().trim().min(1, 'must not be empty').max(200).optional(),
  trusted: z.boolean().optional(),
  uniqueFieldKey: z.string().trim().min(1, 'must not be empty').max(200).optional(),
  connection: z.record(z.string(), z.unknown()).optional(),
  attributes: z.array(z.string().trim().min(1).max(200)).max(1000).optional(),
  outboundMapping: outboundMappingSchema.optional(),
  liveChanges: liveChangesSchema.optional(),
});

export type UpdateSystemResponse = SystemResponse;

export const updateSystemRoute = createRoute({
  method: 'patch',
  path: '/api/systems/{id}',
  ...access('admin'),
  tags: ['systems'],
  summary: 'Change a managed system; "********" for a secret keeps the stored one',
  request: { params: idParams, body: jsonBody(updateSystemBody) },
  responses: { 200: json(systemSchema, 'the changed system'), ...errorResponses },
});

export function registerUpdateSystem(app: ApiApp, services: Services) {
  app.openapi(updateSystemRoute, async (c) => {
    const { id } = c.req.valid('param');
    const updated = await services.systems.update(id, c.req.valid('json'));
    switch (updated.outcome) {
      case 'updated': {
        const response: UpdateSystemResponse = updated.system;
        return c.json(response, 200);
      }
      case 'not_found':
        throw new ApiError('NOT_FOUND', `no managed system with id "${id}"`);
      case 'invalid':
        throw invalidInput(updated);
      case 'name_taken':
        throw new ApiError('CONFLICT', `a managed system named "${updated.name}" already exists`);
      case 'secrets_unreadable':
        throw new ApiError(
          'CONFLICT',
          `the stored secrets of system ${id} cannot be decrypted with this SECRET_KEY; send them again`,
        );
      default:
        return unhandled(updated);
    }
  });
}
