import { z } from '@hono/zod-openapi';
import { tokenRoles } from '../../../core/model.ts';

/** A token as the API shows it: never the token itself, only its first characters. */
export const tokenSchema = z
  .object({
    id: z.string(),
    name: z.string().describe('who or what uses it; recorded as who started, applied or decided'),
    role: z.enum(tokenRoles),
    prefix: z.string().describe('the first characters of the token, enough to recognise it'),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable().describe('the last request made with it (kept to the minute)'),
    revokedAt: z.string().nullable(),
  })
  .openapi('Token');
