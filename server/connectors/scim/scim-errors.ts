import {
  connectionFailure,
  connectionFailureOf,
  type Failure,
  firstLine,
  isTlsError,
  sentence,
  tlsFailure,
} from '../failure-messages.ts';

/**
 * A failed SCIM (or OAuth token) request: the HTTP status (0 when no answer came), the SCIM
 * `scimType`, and the failure in words. Its message is the sentence without a read position; a
 * search says which page it stopped at (`whileReading`).
 */
export class ScimError extends Error {
  override name = 'ScimError';
  readonly status: number;
  readonly scimType: string | undefined;
  readonly failure: Failure;
  constructor(failure: Failure, status: number, scimType?: string) {
    super(sentence(failure));
    this.failure = failure;
    this.status = status;
    this.scimType = scimType;
  }

  /** The same failure, saying where the read was. */
  whileReading(during: string): Error {
    return new ScimError(
      { ...this.failure, what: `${this.failure.what} ${during}` },
      this.status,
      this.scimType,
    );
  }
}

/** `the SCIM server http://127.0.0.1:8080/scim/v2`: how messages name the system. */
export const scimServer = (baseUrl: string) => `the SCIM server ${baseUrl}`;

const tlsCheck =
  "its certificate (Node trusts the system's CAs and NODE_EXTRA_CA_CERTS) and the URL's scheme";

/**
 * No answer at all: fetch's TypeError hides the reason (ECONNREFUSED, ENOTFOUND, a TLS error,
 * `other side closed`) in `cause`; a timeout is AbortSignal's TimeoutError.
 */
export function networkError(error: unknown, system: string, timeoutMs: number): ScimError {
  const timeout = { setting: 'timeoutMs', ms: timeoutMs, connecting: false };
  if (error instanceof Error && error.name === 'TimeoutError') {
    return new ScimError(connectionFailure('timedOut', system, timeout), 0);
  }
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code ?? '';
  const message = cause?.message ?? (error instanceof Error ? error.message : String(error));
  if (isTlsError(code, message)) return new ScimError(tlsFailure(system, code, message, tlsCheck), 0);
  const kind = connectionFailureOf(code);
  if (kind) return new ScimError(connectionFailure(kind, system, timeout), 0);
  // fetch's own refusals (a port it will not use, a malformed answer) carry no code.
  return new ScimError(
    {
      what: `${system} could not be asked (${firstLine(message)})`,
      todo: 'check its address and that it is running, then run again',
    },
    0,
  );
}

/** An error answer (RFC 7644 §3.12), after any retries the connector made. */
export function statusError(
  answer: { method: string; path: string; status: number; body: unknown; retries: number },
  system: string,
  auth: 'bearer' | 'oauth',
): ScimError {
  const { method, path, status, body, retries } = answer;
  const scim = (typeof body === 'object' && body !== null ? body : {}) as {
    detail?: unknown;
    scimType?: unknown;
  };
  const detail = typeof scim.detail === 'string' ? scim.detail : typeof body === 'string' ? body : '';
  const scimType = typeof scim.scimType === 'string' ? scim.scimType : undefined;
  const quoted = detail ? `, "${firstLine(detail)}"` : '';
  const said = `${status}${scimType ? ` ${scimType}` : ''} to ${method} ${path}${quoted}`;
  const tried = retries > 0 ? `, after ${retries} ${retries === 1 ? 'retry' : 'retries'}` : '';
  const again = 'then run again';
  if (status === 401 || status === 403) {
    const check = auth === 'oauth' ? 'the OAuth client (clientId, clientSecret, scope)' : 'the token';
    return new ScimError(
      { what: `${system} refused the credentials (${status})`, todo: `check ${check}, ${again}` },
      status,
      scimType,
    );
  }
  if (status >= 500) {
    return new ScimError(
      { what: `${system} failed on its side (${said}${tried})`, todo: `check its log, ${again}` },
      status,
      scimType,
    );
  }
  if (status === 429) {
    return new ScimError(
      {
        what: `${system} kept answering 429, too many requests (${said}${tried})`,
        todo: `lower pageSize or raise maxRetries and maxRetryDelayMs, ${again}`,
      },
      status,
      scimType,
    );
  }
  return new ScimError(
    {
      what: `${system} refused ${method} ${path} (${status}${scimType ? ` ${scimType}` : ''}${quoted})`,
      todo: "check the values sent and the system's settings",
    },
    status,
    scimType,
  );
}
