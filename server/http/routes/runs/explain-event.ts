import { createRoute, z } from '@hono/zod-openapi';
import type { Services } from '../../../services/index.ts';
import { unhandled } from '../../../services/outcomes.ts';
import { access, errorResponses, idParam, json } from '../../api-route.ts';
import type { ApiApp } from '../../app-env.ts';
import { ApiError } from '../../errors.ts';

const policyRef = z.object({
  path: z.string(),
  hash: z.string().nullable().describe('the version the run used'),
});

const explanationSchema = z.object({
  runId: z.string(),
  eventId: z.string(),
  objectKey: z.string().nullable(),
  idmObjectId: z.string().nullable(),
  correlation: z.object({
    via: z.enum(['link', 'reconKey', 'matchingRule']).nullable(),
    summary: z.string(),
    reconKey: z
      .object({ accountAttribute: z.string(), idmAttribute: z.string(), value: z.unknown() })
      .nullable(),
    matchingRule: policyRef.nullable(),
    ruleKeys: z
      .array(z.string())
      .nullable()
      .describe(
        "the matching rule's keys of the account (its accountKeys, normalised), when the rule looked it up",
      ),
    candidates: z.array(
      z.object({
        idmObjectId: z.string(),
        name: z.string().nullable(),
        score: z.number().nullable().describe("the matching rule's score, when it scored the candidate"),
        chosen: z.boolean(),
      }),
    ),
  }),
  situation: z.string().nullable(),
  response: z.string().nullable(),
  rule: z
    .object({
      situation: z.string(),
      response: z.string(),
      populationPolicy: z.string().nullable().optional(),
      commandPolicy: z.string().nullable().optional(),
    })
    .nullable()
    .describe('the row of the situation → response table that applied'),
  policies: z.array(policyRef.extend({ role: z.string(), output: z.unknown() })),
  attributes: z.array(
    z.object({
      name: z.string(),
      before: z.unknown(),
      after: z.unknown(),
      direction: z.string(),
      confidence: z.number(),
      decision: z.enum(['written', 'heldBack']),
    }),
  ),
  gates: z.array(
    z.object({
      gate: z.string(),
      setting: z.unknown(),
      result: z.enum(['passed', 'held', 'not_checked']),
      message: z.string(),
    }),
  ),
  outcome: z.string(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  configRecorded: z.boolean().describe('false for runs recorded before the config snapshot was kept'),
});
export type ExplainEventResponse = z.infer<typeof explanationSchema>;

export const explainEventRoute = createRoute({
  method: 'get',
  path: '/api/runs/{id}/events/{eventId}/explain',
  ...access('viewer'),
  tags: ['runs'],
  summary:
    'Why an event came out as it did: how the account was correlated (link, recon key, rule; candidates with scores), the situation and its table row, each policy with its version and output, per attribute the direction and confidence, the gates',
  request: {
    params: z.object({
      id: idParam.openapi({ param: { name: 'id', in: 'path' } }),
      eventId: idParam.openapi({ param: { name: 'eventId', in: 'path' } }),
    }),
  },
  responses: { 200: json(explanationSchema, 'the explanation'), ...errorResponses },
});

export function registerExplainEvent(app: ApiApp, services: Services) {
  app.openapi(explainEventRoute, async (c) => {
    const { id: runId, eventId } = c.req.valid('param');
    const found = await services.activity.explainEvent(runId, eventId);
    switch (found.outcome) {
      case 'found': {
        const response: ExplainEventResponse = found.explanation;
        return c.json(response, 200);
      }
      case 'event_not_found':
        throw new ApiError('NOT_FOUND', `no event "${eventId}" in run "${runId}"`);
      default:
        return unhandled(found);
    }
  });
}
