import { z } from '@hono/zod-openapi';
import { objectTypes, responses, situations } from '../../../core/model.ts';

const situationView = z.object({
  response: z.enum(responses),
  populationPolicy: z.string().nullable(),
  commandPolicy: z.string().nullable(),
});

/** A reconciliation config as the API shows it: every situation present. */
export const configSchema = z
  .object({
    id: z.string(),
    systemId: z.string(),
    name: z.string().nullable(),
    objectType: z.enum(objectTypes),
    status: z.enum(['active', 'inactive']),
    frequency: z.string().nullable(),
    timezone: z.string(),
    notificationEmail: z.string().nullable(),
    sendDoNothingReport: z.boolean(),
    reportFormat: z.enum(['html', 'csv']),
    targetQueryPolicy: z.string().nullable(),
    targetSearchFilter: z.string().nullable(),
    idmQueryPolicy: z.string().nullable(),
    idmSearchFilter: z.unknown(),
    updatedSince: z.string().nullable(),
    sourceAttributeName: z.string().nullable(),
    idmField: z.string().nullable(),
    idmCustomAttribute: z.string().nullable(),
    matchingPolicy: z.string().nullable(),
    preProcessorPolicy: z.string().nullable(),
    postProcessorPolicy: z.string().nullable(),
    customProcessorPolicy: z.string().nullable(),
    policyMap: z.array(z.string()),
    attributeSync: z.record(
      z.string(),
      z.object({ direction: z.string(), confidence: z.number().optional() }),
    ),
    deletionThreshold: z.object({ count: z.number().optional(), percent: z.number().optional() }),
    staleDays: z.number(),
    entitlementAttribute: z.string().nullable(),
    sourceGuard: z
      .object({ minAccounts: z.number().optional(), maxDropPercent: z.number().optional() })
      .nullable(),
    situations: z.record(z.enum(situations), situationView),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('ReconConfig');
export type ReconConfigResponse = z.infer<typeof configSchema>;
