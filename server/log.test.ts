import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/** Logs a line the way the server does, in a child whose stdout is a pipe (never a terminal). */
function logLine(format: string): string {
  const script = `import { createLogger } from ${JSON.stringify(path.join(import.meta.dirname, 'log.ts'))};
createLogger('info', 1, ${JSON.stringify(format)}).info({ runId: 'r1', request: { token: 'tu_secret' } }, 'run r1 ended');`;
  return execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
}

describe('createLogger', () => {
  it('writes JSON lines when the log is not a terminal (auto) or when told to, secrets censored', () => {
    for (const format of ['auto', 'json']) {
      const line = JSON.parse(logLine(format)) as Record<string, unknown>;
      expect(line).toMatchObject({ level: 30, service: 'trueup', runId: 'r1', msg: 'run r1 ended' });
      expect(line.request).toEqual({ token: '********' });
    }
  });

  it('writes readable lines when told to (pretty), secrets censored too', () => {
    const text = logLine('pretty');
    expect(text).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: run r1 ended\n/);
    expect(text).toContain('runId: "r1"');
    expect(text).not.toContain('tu_secret');
    expect(() => JSON.parse(text)).toThrow();
  });
});
