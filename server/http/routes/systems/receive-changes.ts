import { z } from 'zod';
import { liveChangesBody } from '../../../services/live-changes.ts';
import { unhandled } from '../../../services/outcomes.ts';
import { ApiError } from '../../errors.ts';
import { defineRoute, pathParam } from '../../route.ts';

export const receiveChangesResponse = z.object({
  /** The first live run started, or null when the changes wait for a run in progress. */
  runId: z.string().nullable(),
  runIds: z.array(z.string()),
  accepted: z.number(),
});

/** The path of the webhook, which needs no bearer token (app.ts exempts it). */
export const webhookPath = /^\/api\/systems\/[^/]+\/changes$/;

export const receiveChangesRoute = defineRoute({
  method: 'POST',
  path: '/api/systems/:id/changes',
  tag: 'systems',
  summary: 'Live changes pushed by the system; signed with X-Trueup-Signature: sha256=<HMAC of the raw body>',
  status: 202,
  body: liveChangesBody,
  response: receiveChangesResponse,
  handler: (services) => async (c) => {
    const id = pathParam(c, 'id');
    // The signature is over the exact bytes: read them once, untouched.
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
  },
});
