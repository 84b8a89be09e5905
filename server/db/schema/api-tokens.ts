import { pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { tokenRoles } from '../../core/model.ts';
import { createdAt, id, oneOf } from './columns.ts';

/** API tokens, stored as SHA-256 hashes; the token itself is shown once, at creation. */
export const apiTokens = pgTable(
  'api_tokens',
  {
    id: id(),
    name: text('name').notNull(),
    role: text('role', { enum: tokenRoles }).notNull(),
    tokenHash: text('token_hash').notNull().unique(),
    prefix: text('prefix').notNull(),
    createdAt: createdAt(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true, mode: 'date' }),
    revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [oneOf('api_tokens_role_check', t.role, tokenRoles)],
);
