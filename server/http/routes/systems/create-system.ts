import { createRoute, z } from '@hono/zod-openapi';
import { connectorTypeName } from '../../../connectors/define-connector.ts';
import type { Services } from '../../../services/index.ts';
import { unhandled } from '../../../services/outcomes.ts';
import { access, errorResponses, json, jsonBody } from '../../api-route.ts';
import type { ApiApp } from '../../app-env.ts';
import { ApiError, invalidInput } from '../../errors.ts';
import {
  liveChangesSchema,
  outboundMappingSchema,
  type SystemResponse,
  systemSchema,
} from './system-schema.ts';

export const createSystemBody = z.strictObject({
  name: z.string().trim().min(1, 'must not be empty').max(200),
  type: connectorTypeName,
  trusted: z.boolean().default(false),
  uniqueFieldKey: z.string().trim().min(1, 'must not be empty').max(200),
  connection: z.record(z.string(), z.unknown()),
  attributes: z.array(z.string().trim().min(1).max(200)).max(1000).default([]),
  outboundMapping: outboundMappingSchema.default(null),
  liveChanges: liveChangesSchema.optional(),
});

export type CreateSystemResponse = SystemResponse;

export const createSystemRoute = createRoute({
  method: 'post',
  path: '/api/systems',
  ...access('admin'),
  tags: ['systems'],
  summary: 'Create a managed system; secret connection fields are encrypted at rest',
  request: { body: jsonBody(createSystemBody) },
  responses: { 201: json(systemSchema, 'the new system'), ...errorResponses },
});

export function registerCreateSystem(app: ApiApp, services: Services) {
  app.openapi(createSystemRoute, async (c) => {
    const created = await services.systems.create(c.req.valid('json'));
    switch (created.outcome) {
      case 'created': {
        const response: CreateSystemResponse = created.system;
        return c.json(response, 201);
      }
      case 'invalid':
        throw invalidInput(created);
      case 'name_taken':
        throw new ApiError('CONFLICT', `a managed system named "${created.name}" already exists`);
      default:
        return unhandled(created);
    }
  });
}
