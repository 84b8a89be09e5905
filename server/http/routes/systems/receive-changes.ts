import { createRoute, z } from '@hono/zod-openapi';
import type { Services } from '../../../services/index.ts';
import { unhandled } from '../../../services/outcomes.ts';
import { access, errorResponses, idParams, json } from '../../api-route.ts';
import type { ApiApp } from '../../app-env.ts';
import { ApiError } from '../../errors.ts';

export const receiveChangesResponse = z.object({
  /** The first live run started, or null when the changes wait for a run in progress. */
  runId: z.string().nullable(),
  runIds: z.array(z.string()),
  accepted: z.number(),
});

/**
 * docs/api.md "Live changes". No bearer token: the system signs the raw body with its webhook secret.
 * The body is not declared to the validator on purpose: the signature is checked over the exact
 * bytes before anything is parsed (services/live-changes.ts, which also checks the body).
 */
export const receiveChangesRoute = createRoute({
  method: 'post',
  path: '/api/systems/{id}/changes',
  ...access('public'),
  tags: ['systems'],
  summary: 'Live changes pushed by the system, signed with its webhook secret',
  description:
    'Header `X-Trueup-Signature: sha256=<hex HMAC-SHA256 of the raw body>`; body ' +
    '`{ changes: [{ key, op: "upsert" | "delete", attributes? }] }` (1–1000).',
  request: { params: idParams },
  responses: { 202: json(receiveChangesResponse, 'stored; their live runs started'), ...errorResponses },
});

export function registerReceiveChanges(app: ApiApp, services: Services) {
  app.openapi(receiveChangesRoute, async (c) => {
    const { id } = c.req.valid('param');
    const raw = new Uint8Array(await c.req.arrayBuffer());
    const received = await services.liveChanges.receive(id, raw, c.req.header('x-trueup-signature') ?? null);
    switch (received.outcome) {
      case 'accepted': {
        const response: z.infer<typeof receiveChangesResponse> = {
          runId: received.runIds[0] ?? null,
          runIds: received.runIds,
          accepted: received.accepted,
        };
        return c.json(response, 202);
      }
      case 'not_found':
        throw new ApiError('NOT_FOUND', `no managed system with id "${id}"`);
      case 'unauthorized':
        throw new ApiError('UNAUTHORIZED', received.message);
      case 'bad_body':
        throw new ApiError('VALIDATION_FAILED', received.message, received.details);
      case 'no_active_config':
        throw new ApiError(
          'CONFLICT',
          `system ${id} has no active reconciliation config to take the changes`,
        );
      default:
        return unhandled(received);
    }
  });
}
