import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { managedSystems } from '../../../db/schema/managed-systems.ts';
import { isUniqueViolation } from '../../db-errors.ts';
import { ApiError } from '../../errors.ts';
import { defineRoute, jsonBody, pathParam } from '../../route.ts';
import { outboundMappingSchema } from './create-system.ts';
import {
  findSystem,
  mergeConnection,
  type SystemResponse,
  splitConnection,
  systemSchema,
  toSystemResponse,
} from './system-view.ts';

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
});

export type UpdateSystemResponse = SystemResponse;

export const updateSystemRoute = defineRoute({
  method: 'PATCH',
  path: '/api/systems/:id',
  tag: 'systems',
  summary: 'Change a managed system; "********" for a secret keeps the stored one',
  status: 200,
  body: updateSystemBody,
  response: systemSchema,
  handler: (services) => async (c) => {
    const id = pathParam(c, 'id');
    const body = await jsonBody(c, updateSystemBody);
    const row = await findSystem(services.db, id);
    const { connection: patch, ...rest } = body;
    const changes: Partial<typeof managedSystems.$inferInsert> = { ...rest };
    if (patch) {
      const split = splitConnection(
        services.connectors,
        row.type,
        mergeConnection(row, services.secrets, patch),
      );
      changes.connection = split.connection;
      changes.encryptedSecrets =
        Object.keys(split.secrets).length > 0 ? services.secrets.seal(split.secrets) : null;
    }
    try {
      const [updated] = await services.db.orm
        .update(managedSystems)
        .set({ ...changes, updatedAt: sql`now()` })
        .where(eq(managedSystems.id, id))
        .returning();
      if (!updated) throw new ApiError('NOT_FOUND', `no managed system with id "${id}"`);
      const response: UpdateSystemResponse = toSystemResponse(updated, services.secrets);
      return c.json(response);
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new ApiError('CONFLICT', `a managed system named "${body.name}" already exists`);
      }
      throw error;
    }
  },
});
