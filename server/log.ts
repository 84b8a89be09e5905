import { isatty } from 'node:tty';
import { pino } from 'pino';
import { build as prettyStream } from 'pino-pretty';
import type { Config } from './config.ts';

export type Logger = pino.Logger;

/**
 * JSON logs, or lines for a person: `auto` (LOG_FORMAT) is readable on a terminal and JSON
 * anywhere else (a pipe, a file, a log collector). The server logs to stdout; CLI commands log
 * to stderr so stdout stays their output.
 */
export function createLogger(
  level: Config['logLevel'],
  destination: 1 | 2 = 1,
  format: Config['logFormat'] = 'json',
): Logger {
  const terminal = isatty(destination);
  const readable = format === 'pretty' || (format === 'auto' && terminal);
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
    readable
      ? prettyStream({
          destination,
          sync: true,
          colorize: terminal,
          translateTime: 'SYS:HH:MM:ss.l',
          ignore: 'pid,hostname,service',
        })
      : pino.destination({ fd: destination, sync: true }),
  );
}
