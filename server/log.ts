import { pino } from 'pino';
import type { Config } from './config.ts';

export type Logger = pino.Logger;

/** JSON logs. The server logs to stdout; CLI commands log to stderr so stdout stays their output. */
export function createLogger(level: Config['logLevel'], destination: 1 | 2 = 1): Logger {
  return pino(
    {
      level,
      base: { service: 'trueup' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: ['*.password', '*.secret', '*.secrets', '*.token', 'headers.authorization'],
        censor: '********',
      },
    },
    pino.destination({ fd: destination, sync: true }),
  );
}
