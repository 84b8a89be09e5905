import { createRoute, z } from '@hono/zod-openapi';
import type { Services } from '../../../services/index.ts';
import { unhandled } from '../../../services/outcomes.ts';
import { access, errorResponses, idParams, json } from '../../api-route.ts';
import type { ApiApp } from '../../app-env.ts';
import { ApiError } from '../../errors.ts';
import { type IdmCollection, idmCollections, idmObjectSchema } from './idm-view.ts';

const membershipSchema = z.object({
  id: z.string(),
  type: z.string(),
  name: z.string(),
  status: z.string(),
  systemId: z.string().nullable(),
});
const linkSchema = z.object({
  id: z.string(),
  systemId: z.string(),
  systemName: z.string().nullable(),
  objectType: z.string(),
  accountKey: z.string(),
  status: z.string(),
  staleSince: z.string().nullable(),
  lastSeenAt: z.string().nullable(),
  account: z
    .object({
      attributes: z.record(z.string(), z.unknown()),
      readAt: z.string().nullable(),
      runId: z.string(),
    })
    .nullable()
    .describe("the account as its system's last full run read it; null when no full run read it"),
});
const historySchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('event'),
    at: z.string(),
    runId: z.string(),
    runStatus: z.string(),
    dryRun: z.boolean(),
    configId: z.string().nullable(),
    configName: z.string().nullable(),
    eventId: z.number(),
    objectKey: z.string().nullable(),
    situation: z.string().nullable(),
    response: z.string().nullable(),
    outcome: z.string(),
    error: z.string().nullable(),
  }),
  z.object({
    kind: z.literal('act'),
    at: z.string(),
    act: z.string(),
    actor: z.string().describe('the token name of who did it'),
    details: z.record(z.string(), z.unknown()),
  }),
]);

export const idmDetailSchema = idmObjectSchema.extend({
  /** Groups, roles and organizations this object belongs to, with the system that contributed each. */
  memberOf: z.array(membershipSchema),
  /** For groups, roles and organizations: their members (at most 1000). */
  members: z.array(membershipSchema),
  links: z.array(linkSchema),
  entitlements: z.array(z.object({ systemId: z.string(), accountKey: z.string(), value: z.string() })),
  history: z
    .array(historySchema)
    .describe("the runs' events about it and the acts on it by hand, newest first (the latest 200)"),
});
export type IdmDetailResponse = z.infer<typeof idmDetailSchema>;

function detailRoute(collection: IdmCollection) {
  const type = idmCollections[collection];
  return createRoute({
    method: 'get',
    path: `/api/idm/${collection}/{id}`,
    ...access('viewer'),
    tags: ['idm'],
    summary: `One IDM ${type.toLowerCase()} with its memberships, links to accounts, entitlements and history`,
    request: { params: idParams },
    responses: { 200: json(idmDetailSchema, `the ${type.toLowerCase()}`), ...errorResponses },
  });
}

/** One detail route per object type. */
export const getIdmRoutes = Object.fromEntries(
  (Object.keys(idmCollections) as IdmCollection[]).map((collection) => [collection, detailRoute(collection)]),
) as Record<IdmCollection, ReturnType<typeof detailRoute>>;

export function registerGetIdmObject(app: ApiApp, services: Services) {
  for (const collection of Object.keys(idmCollections) as IdmCollection[]) {
    const type = idmCollections[collection];
    app.openapi(getIdmRoutes[collection], async (c) => {
      const { id } = c.req.valid('param');
      const found = await services.idm.get(type, id);
      switch (found.outcome) {
        case 'found': {
          const response: IdmDetailResponse = found.object;
          return c.json(response, 200);
        }
        case 'not_found':
          throw new ApiError('NOT_FOUND', `no IDM ${type.toLowerCase()} with id "${id}"`);
        default:
          return unhandled(found);
      }
    });
  }
}
