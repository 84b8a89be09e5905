import { networkError, ScimError } from './scim-errors.ts';

/**
 * OAuth 2.0 client credentials (RFC 6749 §4.4): one token, fetched when first needed, reused until
 * shortly before it expires, and fetched again when the SCIM server refuses it. Concurrent
 * requests share one refresh.
 */
export type TokenSource = {
  token(): Promise<string>;
  /** Forget the cached token (the server answered 401 to it). */
  invalidate(rejected: string): void;
};

export type OAuthSettings = {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope?: string | undefined;
  timeoutMs: number;
};

/** Refresh this long before the stated expiry, so a token never expires in flight. */
const expiryMarginMs = 30_000;

export function clientCredentials(settings: OAuthSettings, now: () => number = Date.now): TokenSource {
  let cached: { token: string; expiresAt: number } | undefined;
  let pending: Promise<string> | undefined;

  const endpoint = `the OAuth token endpoint ${settings.tokenUrl}`;
  const fetchToken = async (): Promise<string> => {
    const body = new URLSearchParams({ grant_type: 'client_credentials' });
    if (settings.scope) body.set('scope', settings.scope);
    // client_secret_basic: the form-encoded id and secret in HTTP Basic (RFC 6749 §2.3.1).
    const basic = Buffer.from(
      `${encodeURIComponent(settings.clientId)}:${encodeURIComponent(settings.clientSecret)}`,
    ).toString('base64');
    let response: Response;
    try {
      response = await fetch(settings.tokenUrl, {
        method: 'POST',
        headers: {
          authorization: `Basic ${basic}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body,
        signal: AbortSignal.timeout(settings.timeoutMs),
      });
    } catch (error) {
      throw networkError(error, endpoint, settings.timeoutMs);
    }
    const text = await response.text();
    let json: { access_token?: unknown; expires_in?: unknown; error?: unknown; error_description?: unknown };
    try {
      json = JSON.parse(text);
    } catch {
      json = {};
    }
    if (!response.ok || typeof json.access_token !== 'string') {
      const reason = typeof json.error === 'string' ? `: ${json.error}` : '';
      const detail = typeof json.error_description === 'string' ? ` (${json.error_description})` : '';
      throw new ScimError(
        {
          what: `${endpoint} refused the client credentials (${response.status}${reason}${detail})`,
          todo: 'check clientId, clientSecret and scope, then run again',
        },
        response.status,
      );
    }
    const lifetime = typeof json.expires_in === 'number' ? json.expires_in * 1000 : 3_600_000;
    cached = { token: json.access_token, expiresAt: now() + lifetime };
    return json.access_token;
  };

  return {
    token: () => {
      if (cached && cached.expiresAt - expiryMarginMs > now()) return Promise.resolve(cached.token);
      pending ??= fetchToken().finally(() => {
        pending = undefined;
      });
      return pending;
    },
    invalidate: (rejected) => {
      if (cached?.token === rejected) cached = undefined;
    },
  };
}

/** A fixed bearer token. */
export function staticToken(token: string): TokenSource {
  return { token: async () => token, invalidate: () => {} };
}
