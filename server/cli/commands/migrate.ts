import { loadConfig } from '../../config.ts';
import type { Command } from '../command.ts';

export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'Apply pending database migrations and exit.',
  usage: 'migrate',
  help: 'Uses DATABASE_URL, or the embedded database in DATA_DIR when it is unset.',
  options: { help: { type: 'boolean', short: 'h' } },
  async run() {
    const config = loadConfig();
    const [{ migrateDatabase }, { openConfiguredDatabase }] = await Promise.all([
      import('../../db/migrate.ts'),
      import('../../db/open.ts'),
    ]);
    const db = await openConfiguredDatabase(config);
    try {
      const { applied } = await migrateDatabase(db);
      process.stdout.write(
        applied ? `applied ${applied} migration(s) to ${db.kind}\n` : `${db.kind} schema is up to date\n`,
      );
      return 0;
    } finally {
      await db.close();
    }
  },
};
