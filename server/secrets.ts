import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Secrets at rest: AES-256-GCM under SECRET_KEY. The stored form is
 * `v1:<iv>:<auth tag>:<ciphertext>`, base64 parts, so a key change is detectable.
 */
export type SecretBox = {
  seal(value: Record<string, string>): string;
  open(sealed: string): Record<string, string>;
};

export class SecretDecryptError extends Error {
  override name = 'SecretDecryptError';
}

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new Error('SECRET_KEY must be 32 bytes');
  return {
    seal(value) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
      return [
        'v1',
        iv.toString('base64'),
        cipher.getAuthTag().toString('base64'),
        body.toString('base64'),
      ].join(':');
    },
    open(sealed) {
      const [version, iv, tag, body] = sealed.split(':');
      if (version !== 'v1' || !iv || !tag || body === undefined) {
        throw new SecretDecryptError('stored secrets are not in a format this version reads');
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
        decipher.setAuthTag(Buffer.from(tag, 'base64'));
        const plain = Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]);
        return JSON.parse(plain.toString('utf8')) as Record<string, string>;
      } catch {
        throw new SecretDecryptError(
          'stored secrets cannot be decrypted: SECRET_KEY differs from the one that sealed them',
        );
      }
    },
  };
}

/** What the API shows in place of a secret value. */
export const maskedSecret = '********';
