import { z } from 'zod';
import { connectorTypeName } from '../../../connectors/define-connector.ts';
import { managedSystems } from '../../../db/schema/managed-systems.ts';
import { isUniqueViolation } from '../../db-errors.ts';
import { ApiError } from '../../errors.ts';
import { defineRoute, jsonBody } from '../../route.ts';
import { splitConnection, systemSchema, toSystemResponse } from './system-view.ts';

export const outboundMappingSchema = z.union([z.record(z.string(), z.string()), z.string().min(1), z.null()]);

export const createSystemBody = z.strictObject({
  name: z.string().trim().min(1, 'must not be empty').max(200),
  type: connectorTypeName,
  trusted: z.boolean().default(false),
  uniqueFieldKey: z.string().trim().min(1, 'must not be empty').max(200),
  connection: z.record(z.string(), z.unknown()),
  attributes: z.array(z.string().trim().min(1).max(200)).max(1000).default([]),
  outboundMapping: outboundMappingSchema.default(null),
});

export type CreateSystemResponse = z.infer<typeof systemSchema>;

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
    const { connection, secrets } = splitConnection(services.connectors, body.type, body.connection);
    try {
      const [row] = await services.db.orm
        .insert(managedSystems)
        .values({
          name: body.name,
          type: body.type,
          trusted: body.trusted,
          uniqueFieldKey: body.uniqueFieldKey,
          connection,
          encryptedSecrets: Object.keys(secrets).length > 0 ? services.secrets.seal(secrets) : null,
          attributes: body.attributes,
          outboundMapping: body.outboundMapping,
        })
        .returning();
      const response: CreateSystemResponse = toSystemResponse(row!, services.secrets);
      return c.json(response, 201);
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new ApiError('CONFLICT', `a managed system named "${body.name}" already exists`);
      }
      throw error;
    }
  },
});
