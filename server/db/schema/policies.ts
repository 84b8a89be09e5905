import { jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { createdAt, timestamps } from './columns.ts';

export type Diagnostic = {
  line: number;
  column: number;
  message: string;
  severity: 'error' | 'warning';
  code?: string;
  /** The file the diagnostic is in: the policy itself or a file it imports. */
  file?: string;
  /** Which step found it: bundling (syntax), an import that is not allowed, or the typecheck. */
  kind?: 'compile' | 'import' | 'type';
};

/** Integrator-authored policy sources, by path. `hash` points at their compiled build. */
export const policies = pgTable('policies', {
  path: text('path').primaryKey(),
  source: text('source').notNull(),
  hash: text('hash').notNull(),
  kind: text('kind'),
  ...timestamps,
});

/** Compiled output by content hash: compiling an unchanged source costs a look-up. */
export const policyBuilds = pgTable('policy_builds', {
  hash: text('hash').primaryKey(),
  kind: text('kind'),
  code: text('code'),
  sourceMap: text('source_map'),
  diagnostics: jsonb('diagnostics').$type<Diagnostic[]>().notNull().default([]),
  createdAt: createdAt(),
});
