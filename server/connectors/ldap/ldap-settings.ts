import { z } from 'zod';

const attributeName = z.string().regex(/^[A-Za-z][A-Za-z0-9-]*$/, 'must be an LDAP attribute name');

/** An LDAP directory or Active Directory. `bindPassword` is the secret. */
export const ldapConnectionSchema = z.strictObject({
  url: z.string().regex(/^ldaps?:\/\/[^/\s]+\/?$/, 'must be ldap://host[:port] or ldaps://host[:port]'),
  startTls: z.boolean().default(false),
  tlsOptions: z
    .strictObject({
      rejectUnauthorized: z.boolean().default(true),
      /** PEM of the CA that issued the server's certificate (a DC's own self-signed CA). */
      ca: z.string().optional(),
      /** The name the certificate must carry when the URL names an address (`ldaps://10.0.0.5`). */
      servername: z.string().min(1).optional(),
    })
    .default({ rejectUnauthorized: true }),
  /** Absent = anonymous bind. */
  bindDn: z.string().min(1).optional(),
  bindPassword: z.string().default(''),
  baseDn: z.string().min(1, 'the base DN is required'),
  scope: z.enum(['base', 'one', 'sub']).default('sub'),
  pageSize: z.coerce.number().int().min(1).max(10_000).default(500),
  connectTimeoutMs: z.coerce.number().int().min(100).max(300_000).default(10_000),
  timeoutMs: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
  /** The object classes of an account this system creates. */
  objectClasses: z
    .array(z.string().min(1))
    .min(1)
    .default(['top', 'person', 'organizationalPerson', 'inetOrgPerson']),
  /** Where created accounts go; the base DN when absent. */
  createContainer: z.string().min(1).optional(),
  /** The naming attribute of created accounts; the unique field key (or cn when the key is the DN). */
  rdnAttribute: attributeName.optional(),
  watermarkAttribute: z.enum(['modifyTimestamp', 'whenChanged', 'uSNChanged']).default('modifyTimestamp'),
  disable: z
    .union([
      z.strictObject({ mode: z.literal('ad') }),
      z.strictObject({ attribute: attributeName, value: z.string() }),
    ])
    .optional(),
  /** The attribute listing an account's groups (memberOf), always read as a list. */
  entitlementAttribute: attributeName.optional(),
  /**
   * Attributes whose values are DNs of other entries (`member`, `memberOf`), read and written as
   * those entries' unique field keys, so memberships name the same keys as the accounts' links
   * (an objectGUID, or the normalised DN when the key is `dn`).
   */
  referenceAttributes: z.array(attributeName).default([]),
  /** Attributes holding bytes, read as base64. */
  binaryAttributes: z.array(attributeName).default(['objectGUID', 'objectSid']),
});

export type LdapConnection = z.output<typeof ldapConnectionSchema>;
