import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseEnv } from './config.ts';

describe('parseEnv', () => {
  it('applies defaults', () => {
    const env = parseEnv({});
    expect(env).toMatchObject({
      PORT: 8080,
      DATA_DIR: './data',
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'auto',
      SANDBOX_MEMORY_MB: 128,
    });
    expect(parseEnv({ LOG_FORMAT: 'json' }).LOG_FORMAT).toBe('json');
    expect(env.DATABASE_URL).toBeUndefined();
  });

  it.each([
    [{ PORT: 'notaport' }, /^PORT must be a port number \(got "notaport"\)$/],
    [{ PORT: '70000' }, /^PORT must be between 0 and 65535/],
    [{ PORT: '80.5' }, /^PORT must be a whole number/],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL /],
    [{ LOG_FORMAT: 'xml' }, /^LOG_FORMAT .*"auto".*\(got "xml"\)$/],
    [{ DATABASE_URL: 'mysql://x' }, /^DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL$/],
    [{ SMTP_URL: 'http://x' }, /^SMTP_URL must be an smtp:\/\/ or smtps:\/\/ URL/],
    [{ SECRET_KEY: 'short' }, /^SECRET_KEY must be 64 hex characters \(32 bytes\)$/],
  ])('names the variable in one line: %o', (env, message) => {
    expect(() => parseEnv(env)).toThrow(ConfigError);
    expect(() => parseEnv(env)).toThrow(message);
  });

  it('never echoes a secret or a database URL', () => {
    expect(() => parseEnv({ SECRET_KEY: 'my-secret' })).toThrow(
      /^SECRET_KEY must be 64 hex characters \(32 bytes\)$/,
    );
  });

  it('treats an empty variable as unset', () => {
    expect(parseEnv({ PORT: '', DATABASE_URL: '' })).toMatchObject({ PORT: 8080, DATABASE_URL: undefined });
  });
});

describe('loadConfig', () => {
  it('generates SECRET_KEY into DATA_DIR once and reuses it', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'trueup-config-'));
    const first = loadConfig({ DATA_DIR: dir });
    const second = loadConfig({ DATA_DIR: dir });
    expect(first.secretKey).toHaveLength(32);
    expect(second.secretKey.equals(first.secretKey)).toBe(true);
    expect(readFileSync(path.join(dir, 'secret.key'), 'utf8').trim()).toBe(first.secretKey.toString('hex'));
  });

  it('prefers SECRET_KEY and rejects a corrupt key file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'trueup-config-'));
    const key = 'ab'.repeat(32);
    expect(loadConfig({ DATA_DIR: dir, SECRET_KEY: key }).secretKey.toString('hex')).toBe(key);
    writeFileSync(path.join(dir, 'secret.key'), 'nonsense');
    expect(() => loadConfig({ DATA_DIR: dir })).toThrow(/does not hold a 64-hex-character key/);
  });
});
