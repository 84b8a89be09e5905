/**
 * The words the SQL, LDAP and SCIM connectors share for a failure: one sentence that names the
 * system and says what to do, never a bare `ECONNRESET` (a run that stops on a read error shows
 * it as is). Each connector's own describe…Error (sql-errors.ts, ldap-errors.ts, scim-errors.ts)
 * picks the failure and names its settings.
 */
import { ConnectorConfigError } from '../core/connector-port.ts';

export type Failure = { what: string; todo: string };

/** An error whose message is already the sentence people read. */
export class ConnectorFailure extends Error {
  override name = 'ConnectorFailure';
}

/**
 * The error a read throws: one already said in words (a ConnectorFailure, a bad setting) as is,
 * anything else described by the connector.
 */
export function readFailure(error: unknown, describe: (error: unknown) => string): Error {
  if (error instanceof ConnectorFailure || error instanceof ConnectorConfigError) return error;
  return new ConnectorFailure(describe(error));
}

/** What happened to a connection, from the error codes of Node, undici, postgres.js and mysql2. */
export type ConnectionFailure = 'refused' | 'notFound' | 'unreachable' | 'closed' | 'timedOut';

const codes: Record<ConnectionFailure, string[]> = {
  refused: ['ECONNREFUSED'],
  notFound: ['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL'],
  unreachable: ['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN'],
  closed: [
    'ECONNRESET',
    'EPIPE',
    'ECONNABORTED',
    'UND_ERR_SOCKET',
    'UND_ERR_CLOSED',
    'PROTOCOL_CONNECTION_LOST',
    'CONNECTION_CLOSED',
    'CONNECTION_ENDED',
    'CONNECTION_DESTROYED',
  ],
  timedOut: ['ETIMEDOUT', 'CONNECT_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT'],
};

export function connectionFailureOf(code: string | undefined): ConnectionFailure | undefined {
  if (!code) return undefined;
  return (Object.keys(codes) as ConnectionFailure[]).find((kind) => codes[kind].includes(code));
}

/** `2 s`, `250 ms`: a setting's value as people read it. */
export function duration(ms: number): string {
  return ms >= 1000 && ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

const again = 'then run again';

/**
 * The sentence for a lost or refused connection. `timeout` names the setting that ran out
 * (`timeoutMs`), with its value.
 */
export function connectionFailure(
  kind: ConnectionFailure,
  system: string,
  timeout: { setting: string; ms: number; connecting: boolean },
): Failure {
  switch (kind) {
    case 'refused':
      return {
        what: `${system} refused the connection`,
        todo: `check that it is running and that its address is right, ${again}`,
      };
    case 'notFound':
      return { what: `${system} cannot be found (unknown host name)`, todo: `check its address, ${again}` };
    case 'unreachable':
      return {
        what: `${system} cannot be reached (no route to the host)`,
        todo: `check the network between trueup and it, ${again}`,
      };
    case 'closed':
      return {
        what: `${system} closed the connection`,
        todo: `check that it is running and reachable, ${again}`,
      };
    case 'timedOut':
      return timeout.connecting
        ? {
            what: `${system} did not accept the connection within ${duration(timeout.ms)} (${timeout.setting})`,
            todo: `check that it is running and reachable, ${again}`,
          }
        : {
            what: `${system} did not answer within ${duration(timeout.ms)} (${timeout.setting})`,
            todo: `check that it is running and not overloaded, or raise ${timeout.setting}, ${again}`,
          };
  }
}

export function credentialsRefused(system: string, who: string, check: string): Failure {
  return { what: `${system} refused the credentials of ${who}`, todo: `check ${check}, ${again}` };
}

/** TLS failures by Node's certificate and handshake error codes, in words. */
const tlsReasons: Record<string, string> = {
  ERR_SSL_WRONG_VERSION_NUMBER: 'it does not speak TLS on that port',
  EPROTO: 'it does not speak TLS on that port',
  HANDSHAKE_NO_SSL_SUPPORT: 'it does not support TLS',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'its certificate is self-signed and not trusted',
  SELF_SIGNED_CERT_IN_CHAIN: 'its certificate is issued by an untrusted CA',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its certificate is issued by an untrusted CA',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'its certificate is issued by an untrusted CA',
  ERR_TLS_CERT_ALTNAME_INVALID: 'its certificate names another host',
  CERT_HAS_EXPIRED: 'its certificate has expired',
};

export function tlsFailure(system: string, code: string, message: string, check: string): Failure {
  const reason =
    tlsReasons[code] ??
    (/does not support (SSL|secure)/i.test(message)
      ? 'it does not support TLS'
      : /disconnected before secure TLS/i.test(message)
        ? 'it closed the connection during the TLS handshake'
        : firstLine(message));
  return { what: `TLS with ${system} failed (${reason})`, todo: `check ${check}, ${again}` };
}

export function isTlsError(code: string, message: string): boolean {
  return (
    code in tlsReasons ||
    code.startsWith('ERR_TLS') ||
    code.startsWith('ERR_SSL') ||
    /\b(TLS|SSL)\b|certificate|self.signed/i.test(message)
  );
}

/** Any other failure, with the system's own words. */
export function otherFailure(system: string, message: string, todo: string): Failure {
  return { what: `${system} failed (${firstLine(message)})`, todo };
}

export function firstLine(message: string): string {
  return message.split('\n')[0]?.trim() ?? '';
}

/** `while reading page 3 (after 2,000 entries)`: where a read failed. */
export function readingPage(page: number, read: number, noun: string): string {
  return read > 0
    ? `while reading page ${page} (after ${read.toLocaleString('en-US')} ${noun})`
    : `while reading page ${page}`;
}

/** `while looking up 3 accounts by key` */
export function lookingUp(keys: number): string {
  return `while looking up ${keys.toLocaleString('en-US')} ${keys === 1 ? 'account' : 'accounts'} by key`;
}

/** The failure as one sentence: what happened (and when), then what to do. */
export function sentence(failure: Failure, during?: string): string {
  return `${failure.what}${during ? ` ${during}` : ''}: ${failure.todo}`;
}
