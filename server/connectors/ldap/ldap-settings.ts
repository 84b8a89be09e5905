import { z } from 'zod';

const attributeName = z.string().regex(/^[A-Za-z][A-Za-z0-9-]*$/, 'must be an LDAP attribute name');

/** An LDAP directory or Active Directory. `bindPassword` is the secret. */
export const ldapConnectionSchema = z.strictObject({
  url: z
    .string()
    .regex(/^ldaps?:\/\/[^/\s]+\/?$/, 'must be ldap://host[:port] or ldaps://host[:port]')
    .describe('ldap://host[:port], or ldaps:// for TLS from the start'),
  startTls: z.boolean().default(false).describe('Upgrade an ldap:// connection with StartTLS'),
  tlsOptions: z
    .strictObject({
      rejectUnauthorized: z.boolean().default(true),
      /** PEM of the CA that issued the server's certificate (a DC's own self-signed CA). */
      ca: z.string().optional(),
      /** The name the certificate must carry when the URL names an address (`ldaps://10.0.0.5`). */
      servername: z.string().min(1).optional(),
    })
    .default({ rejectUnauthorized: true })
    .describe("TLS checks: rejectUnauthorized, ca (PEM of the server's CA), servername"),
  bindDn: z.string().min(1).optional().describe('The DN to bind as; absent binds anonymously'),
  bindPassword: z.string().default('').describe("The bind DN's password"),
  baseDn: z.string().min(1, 'the base DN is required').describe('Where searches start'),
  scope: z.enum(['base', 'one', 'sub']).default('sub').describe('How deep searches go below the base DN'),
  pageSize: z.coerce.number().int().min(1).max(10_000).default(500).describe('Entries per paged-search page'),
  connectTimeoutMs: z.coerce.number().int().min(100).max(300_000).default(10_000).describe('To connect'),
  timeoutMs: z.coerce.number().int().min(100).max(3_600_000).default(60_000).describe('Per operation'),
  objectClasses: z
    .array(z.string().min(1))
    .min(1)
    .default(['top', 'person', 'organizationalPerson', 'inetOrgPerson'])
    .describe('The object classes of an account this system creates'),
  createContainer: z
    .string()
    .min(1)
    .optional()
    .describe('Where created accounts go; the base DN when absent'),
  rdnAttribute: attributeName
    .optional()
    .describe('The naming attribute of created accounts; the unique field key (cn when the key is the DN)'),
  watermarkAttribute: z
    .enum(['modifyTimestamp', 'whenChanged', 'uSNChanged'])
    .default('modifyTimestamp')
    .describe('The change marker incremental runs compare (uSNChanged on AD)'),
  disable: z
    .union([
      z.strictObject({ mode: z.literal('ad') }),
      z.strictObject({ attribute: attributeName, value: z.string() }),
    ])
    .optional()
    .describe('How a disable is written: { mode: "ad" } (userAccountControl) or { attribute, value }'),
  entitlementAttribute: attributeName
    .optional()
    .describe("The attribute listing an account's groups (memberOf), always read as a list"),
  /**
   * Attributes whose values are DNs of other entries (`member`, `memberOf`), read and written as
   * those entries' unique field keys, so memberships name the same keys as the accounts' links
   * (an objectGUID, or the normalised DN when the key is `dn`).
   */
  referenceAttributes: z
    .array(attributeName)
    .default([])
    .describe("DN-valued attributes read and written as the entries' unique field keys (member, memberOf)"),
  binaryAttributes: z
    .array(attributeName)
    .default(['objectGUID', 'objectSid'])
    .describe('Attributes holding bytes, read as base64'),
});

export type LdapConnection = z.output<typeof ldapConnectionSchema>;
