import { pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { responses, situations } from '../../core/model.ts';
import { oneOf } from './columns.ts';
import { reconConfigs } from './recon-configs.ts';

export { type Response, responses, type Situation, situations } from '../../core/model.ts';

/** The situation → response table of a config, one row per situation. */
export const reconSituations = pgTable(
  'recon_situations',
  {
    configId: text('config_id')
      .notNull()
      .references(() => reconConfigs.id, { onDelete: 'cascade' }),
    situation: text('situation', { enum: situations }).notNull(),
    response: text('response', { enum: responses }).notNull().default('DO_NOTHING'),
    populationPolicy: text('population_policy'),
    commandPolicy: text('command_policy'),
  },
  (t) => [
    primaryKey({ columns: [t.configId, t.situation] }),
    oneOf('recon_situations_situation_check', t.situation, situations),
    oneOf('recon_situations_response_check', t.response, responses),
  ],
);
