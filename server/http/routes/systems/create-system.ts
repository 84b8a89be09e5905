import { z } from 'zod';
import { connectorTypeName } from '../../../connectors/define-connector.ts';
import { unhandled } from '../../../services/outcomes.ts';
import { ApiError, invalidInput } from '../../errors.ts';
import { defineRoute, jsonBody } from '../../route.ts';
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

export const createSystemRoute = defineRoute({
  method: 'POST',
  path: '/api/systems',
  tag: 'systems',
  summary: 'Create a managed system; secret connection fields are encrypted at rest',
  status: 201,
  body: createSystemBody,
  response: systemSchema,
  handler: (services) => async (c) => {
    const body = await jsonBody(c, createSystemBody);
    const created = await services.systems.create(body);
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
  },
});
