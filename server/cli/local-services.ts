import type { Config } from '../config.ts';
import type { Services } from '../services/index.ts';

/**
 * Opens the database (migrating it) and builds the services for one CLI command, closing them
 * afterwards. Loaded lazily by each command, so `trueup --help` never loads the ORM or the engine.
 */
export async function withLocalServices<T>(
  config: Config,
  fn: (services: Services) => Promise<T>,
  options: { logLevel?: Config['logLevel'] } = {},
): Promise<T> {
  const [{ createLogger }, { createServices }] = await Promise.all([
    import('../log.ts'),
    import('../main.ts'),
  ]);
  // A reading command's stderr carries only problems, unless a louder LOG_LEVEL asks for more.
  const level = options.logLevel ?? (config.logLevel === 'info' ? 'warn' : config.logLevel);
  const services = await createServices(config, createLogger(level, 2, config.logFormat), {
    resumeRuns: false,
  });
  try {
    return await fn(services);
  } finally {
    await services.close();
  }
}
