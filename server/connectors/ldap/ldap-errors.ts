import {
  connectionFailure,
  connectionFailureOf,
  credentialsRefused,
  type Failure,
  firstLine,
  isTlsError,
  sentence,
  tlsFailure,
} from '../failure-messages.ts';
import type { LdapConnection } from './ldap-settings.ts';

/** Where an LDAP error happened, for its message. */
export type LdapErrorContext = {
  /** `while reading page 3 (after 1,000 entries)`, `while looking up 2 accounts by key`. */
  during?: string;
  /** While connecting, binding or starting TLS: a secure connection that drops is a TLS failure. */
  connecting?: boolean;
  /** The base DN searched (the query's, else the connection's). */
  baseDn?: string;
};

/** `the LDAP server ldap://127.0.0.1:389`: how messages name the system. */
export const ldapServer = (connection: LdapConnection) => `the LDAP server ${connection.url}`;

const tlsCheck = 'that it speaks TLS there (ldaps:// or startTls), tlsOptions.ca and tlsOptions.servername';

/**
 * One sentence per failure kind, naming the server and what to do: unreachable, lost mid-read,
 * timed out, TLS, credentials, base DN, filter. The bind password is never in an ldapts message;
 * it is scrubbed anyway.
 */
export function describeLdapError(
  error: unknown,
  connection: LdapConnection,
  context: LdapErrorContext = {},
): string {
  return sentence(ldapFailure(error, connection, context), context.during);
}

function ldapFailure(error: unknown, connection: LdapConnection, context: LdapErrorContext): Failure {
  const e = error as { code?: string | number; name?: string; message?: string };
  const raw = e.message ?? String(error);
  const message = connection.bindPassword ? raw.replaceAll(connection.bindPassword, '********') : raw;
  const name = e.name ?? '';
  // ldapts puts a socket's own code in its message ("Socket error. … read ECONNRESET").
  const code = typeof e.code === 'string' ? e.code : (/\b(E[A-Z]{4,})\b/.exec(message)?.[1] ?? '');
  const system = ldapServer(connection);
  const secure = connection.url.startsWith('ldaps:') || connection.startTls;
  if (name === 'InvalidCredentialsError') {
    return credentialsRefused(system, `"${connection.bindDn}"`, 'the bind DN and password');
  }
  if (/^StartTLS failed/.test(message)) {
    const reason = /unsupported extended operation/i.test(message)
      ? 'it does not offer StartTLS'
      : firstLine(message.replace(/^StartTLS failed: /, ''));
    return tlsFailure(system, code, reason, tlsCheck);
  }
  if (isTlsError(code, message)) return tlsFailure(system, code, message, tlsCheck);
  const timedOut = /Connection timeout/.test(message)
    ? { connecting: true, setting: 'connectTimeoutMs', ms: connection.connectTimeoutMs }
    : /timed out/i.test(message)
      ? { connecting: false, setting: 'timeoutMs', ms: connection.timeoutMs }
      : undefined;
  const closed = /Socket connection not established|Connection closed|Socket error/.test(message);
  const kind = connectionFailureOf(code) ?? (timedOut ? 'timedOut' : closed ? 'closed' : undefined);
  if (kind && secure && context.connecting && (kind === 'closed' || kind === 'timedOut')) {
    return {
      what: `TLS with ${system} failed (it did not complete a TLS handshake)`,
      todo: `check ${tlsCheck}, then run again`,
    };
  }
  if (kind) {
    return connectionFailure(
      kind,
      system,
      timedOut ?? { connecting: false, setting: 'timeoutMs', ms: connection.timeoutMs },
    );
  }
  return resultFailure(name, message, system, connection, context);
}

/** The directory's own answers (LDAP result codes) and filters ldapts cannot parse. */
function resultFailure(
  name: string,
  message: string,
  system: string,
  connection: LdapConnection,
  context: LdapErrorContext,
): Failure {
  const detail = firstLine(message);
  switch (name) {
    case 'NoSuchObjectError':
      return {
        what: `the base DN "${context.baseDn ?? connection.baseDn}" does not exist on ${system}`,
        todo: "check the system's baseDn (or the target query's)",
      };
    case 'InvalidDNSyntaxError':
      return { what: `a DN is malformed (${detail})`, todo: 'check the base DN and the DNs given' };
    case 'InsufficientAccessError':
      return {
        what: `${system} refused "${connection.bindDn ?? 'anonymous'}" access (${detail})`,
        todo: 'give the bind DN read access under the base DN, then run again',
      };
    case 'StrongAuthRequiredError':
    case 'ConfidentialityRequiredError':
      return {
        what: `${system} requires an encrypted connection (${detail})`,
        todo: 'use ldaps:// or startTls, then run again',
      };
    case 'SizeLimitExceededError':
    case 'AdminLimitExceededError':
      return {
        what: `${system} stopped the search at its size limit`,
        todo: 'raise the limit for the bind DN, or lower pageSize, then run again',
      };
    case 'BusyError':
    case 'UnavailableError':
      return { what: `${system} is busy or unavailable (${detail})`, todo: 'check it, then run again' };
  }
  if (
    /paren|filter|unescaped|Wildcard missing|escaped hex|Invalid (expression|attribute name)/i.test(message)
  ) {
    return {
      what: `the search filter is malformed (${detail})`,
      todo: "fix the target query policy's filter or the config's search filter",
    };
  }
  return { what: `${system} failed (${detail})`, todo: "check the server's log, then run again" };
}
