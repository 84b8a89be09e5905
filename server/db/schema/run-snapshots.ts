import { customType, index, integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { createdAt } from './columns.ts';
import { reconConfigs } from './recon-configs.ts';
import { runs } from './runs.ts';

const bytea = customType<{ data: Uint8Array }>({ dataType: () => 'bytea' });

/**
 * What a full run read and decided, kept for replays (docs/api.md `POST /api/runs/:id/replay`): each
 * decided pair's account, the IDM object version it saw and its outcome, as gzip'd JSON lines, one
 * part per decided slice. Only the last few full runs of a config keep theirs
 * (REPLAY_SNAPSHOTS).
 */
export const runSnapshots = pgTable(
  'run_snapshots',
  {
    runId: text('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    configId: text('config_id')
      .notNull()
      .references(() => reconConfigs.id, { onDelete: 'cascade' }),
    part: integer('part').notNull(),
    /** Pairs in the part. */
    lines: integer('lines').notNull(),
    data: bytea('data').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.part] }), index('run_snapshots_config').on(t.configId)],
);
