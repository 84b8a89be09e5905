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

/**
 * One message per failure kind: unreachable, TLS, credentials, base DN, filter. The bind password
 * is never in an ldapts message; it is scrubbed anyway.
 */
export function describeLdapError(error: unknown, connection: LdapConnection): string {
  const e = error as { code?: string | number; name?: string; message?: string };
  const raw = e.message ?? String(error);
  const message = connection.bindPassword ? raw.replaceAll(connection.bindPassword, '********') : raw;
  const name = e.name ?? '';
  const code = typeof e.code === 'string' ? e.code : '';
  const secure = connection.url.startsWith('ldaps:') || connection.startTls;
  if (name === 'InvalidCredentialsError') {
    return `the directory refused the credentials of "${connection.bindDn}"`;
  }
  if (['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN'].includes(code)) {
    return `cannot reach the directory at ${connection.url} (${code})`;
  }
  if (
    /TLS|SSL|certificate|self.signed/i.test(message) ||
    code.startsWith('ERR_TLS') ||
    code.startsWith('ERR_SSL')
  ) {
    return `TLS failure with ${connection.url}: ${message}`;
  }
  if (secure && (code === 'ECONNRESET' || /closed|disconnected|timeout/i.test(message))) {
    return `TLS failure with ${connection.url}: the server did not complete a TLS handshake (${message})`;
  }
  if (/timeout/i.test(message)) return `cannot reach the directory at ${connection.url} (timed out)`;
  if (name === 'NoSuchObjectError') return `the base DN "${connection.baseDn}" does not exist`;
  if (name === 'InvalidDNSyntaxError') return `a DN is malformed: ${message}`;
  return message;
}
