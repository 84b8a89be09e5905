import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSecretBox, SecretDecryptError } from './secrets.ts';

describe('secret box', () => {
  const box = createSecretBox(randomBytes(32));

  it('round-trips and never stores the plain value', () => {
    const sealed = box.seal({ password: 'hunter2-ü' });
    expect(sealed).not.toContain('hunter2');
    expect(box.open(sealed)).toEqual({ password: 'hunter2-ü' });
  });

  it('seals the same value differently each time', () => {
    expect(box.seal({ a: 'b' })).not.toEqual(box.seal({ a: 'b' }));
  });

  it('names a wrong key instead of returning garbage', () => {
    const other = createSecretBox(randomBytes(32));
    expect(() => other.open(box.seal({ a: 'b' }))).toThrow(/SECRET_KEY differs/);
  });

  it('rejects a tampered or foreign value', () => {
    const sealed = box.seal({ a: 'b' });
    const tampered = `${sealed.slice(0, -4)}AAAA`;
    expect(() => box.open(tampered)).toThrow(SecretDecryptError);
    expect(() => box.open('plain-text')).toThrow(/format/);
  });

  it('refuses a key of the wrong size', () => {
    expect(() => createSecretBox(randomBytes(16))).toThrow(/32 bytes/);
  });
});
