import { Client } from 'ldapts';
import type { LdapConnection } from './ldap-settings.ts';

/**
 * A bound client for one operation (a search, a write batch, a test); the caller unbinds it.
 * A fresh connection per operation keeps a dropped socket from turning into an anonymous one.
 */
export async function openLdap(connection: LdapConnection): Promise<Client> {
  const tlsOptions = {
    rejectUnauthorized: connection.tlsOptions.rejectUnauthorized,
    ...(connection.tlsOptions.ca ? { ca: connection.tlsOptions.ca } : {}),
    ...(connection.tlsOptions.servername ? { servername: connection.tlsOptions.servername } : {}),
  };
  const client = new Client({
    url: connection.url,
    connectTimeout: connection.connectTimeoutMs,
    timeout: connection.timeoutMs,
    // ldapts speaks TLS from the first byte whenever tlsOptions is set, so only for ldaps://.
    ...(connection.url.startsWith('ldaps:') ? { tlsOptions } : {}),
  });
  try {
    if (connection.startTls) {
      await client.startTLS(tlsOptions).catch((error: Error) => {
        throw new Error(`StartTLS failed: ${error.message}`);
      });
    }
    if (connection.bindDn) await client.bind(connection.bindDn, connection.bindPassword);
    return client;
  } catch (error) {
    await client.unbind().catch(() => {});
    throw error;
  }
}

export async function closeLdap(client: Client) {
  await client.unbind().catch(() => {});
}
