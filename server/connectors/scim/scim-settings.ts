import { z } from 'zod';

/**
 * A SCIM 2.0 service provider (RFC 7643/7644) as a managed system. One system reads one resource
 * type (Users or Groups); a second system on the same base URL reads the other. `token` and
 * `clientSecret` are the secrets.
 */
export const scimConnectionSchema = z
  .strictObject({
    baseUrl: z
      .string()
      .regex(/^https?:\/\/[^\s/]+(\/[^\s?#]*)?$/, 'must be an http:// or https:// URL without query')
      .transform((url) => url.replace(/\/+$/, ''))
      .describe('The SCIM base URL, e.g. https://example.com/scim/v2'),
    resourceType: z
      .enum(['User', 'Group'])
      .default('User')
      .describe('Which resources this system holds: /Users or /Groups'),
    auth: z
      .enum(['bearer', 'oauth'])
      .default('bearer')
      .describe('bearer: a fixed token; oauth: OAuth 2.0 client credentials'),
    token: z.string().default('').describe('The bearer token (auth: bearer)'),
    tokenUrl: z
      .string()
      .regex(/^https?:\/\/\S+$/, 'must be an http:// or https:// URL')
      .optional()
      .describe('The OAuth 2.0 token endpoint (auth: oauth)'),
    clientId: z.string().min(1).optional().describe('The OAuth 2.0 client id (auth: oauth)'),
    clientSecret: z.string().default('').describe('The OAuth 2.0 client secret (auth: oauth)'),
    scope: z.string().min(1).optional().describe('The OAuth 2.0 scope to ask for, if the server wants one'),
    pageSize: z.coerce.number().int().min(1).max(1000).default(100).describe('Resources per page (count)'),
    deltas: z
      .enum(['lastModified', 'none'])
      .default('lastModified')
      .describe('Incremental runs filter on meta.lastModified; none when the server cannot'),
    timeoutMs: z.coerce.number().int().min(100).max(300_000).default(30_000).describe('Per request'),
    maxRetries: z.coerce
      .number()
      .int()
      .min(0)
      .max(10)
      .default(4)
      .describe('Retries of a request answered 429 or 5xx (honouring Retry-After)'),
    maxRetryDelayMs: z.coerce
      .number()
      .int()
      .min(0)
      .max(600_000)
      .default(30_000)
      .describe('The longest wait between retries'),
  })
  .superRefine((value, ctx) => {
    if (value.auth === 'bearer' && value.token === '') {
      ctx.addIssue({ code: 'custom', path: ['token'], message: 'is required with auth "bearer"' });
    }
    if (value.auth === 'oauth') {
      for (const field of ['tokenUrl', 'clientId', 'clientSecret'] as const) {
        if (!value[field]) {
          ctx.addIssue({ code: 'custom', path: [field], message: 'is required with auth "oauth"' });
        }
      }
    }
  });

export type ScimConnection = z.output<typeof scimConnectionSchema>;

/** The connection fields that are secrets. */
export const scimSecretFields = ['token', 'clientSecret'] as const;
