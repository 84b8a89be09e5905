import { networkError, scimServer, statusError } from './scim-errors.ts';
import { clientCredentials, staticToken, type TokenSource } from './scim-oauth.ts';
import type { ScimConnection } from './scim-settings.ts';

export type ScimRequest = {
  query?: Record<string, string | number>;
  body?: unknown;
  /** Statuses answered as values rather than thrown (404 for a gone resource, 409 for a taken name). */
  accept?: number[];
};

export type ScimAnswer<T> = { status: number; body: T | undefined };

export type ScimHttp = {
  request<T>(method: string, path: string, request?: ScimRequest): Promise<ScimAnswer<T>>;
  /** `the SCIM server <baseUrl>`, as messages name it. */
  system: string;
};

/** Statuses worth another try: rate limiting and the server's own failures. */
const retryable = new Set([429, 500, 502, 503, 504]);

/**
 * The SCIM client's one way out: JSON over fetch with the bearer or OAuth token, a timeout per
 * request, and retries on 429 and 5xx that honour `Retry-After` (seconds or an HTTP date), with
 * exponential back-off otherwise. A 401 to an OAuth token fetches a new one once.
 */
export function createScimHttp(
  connection: ScimConnection,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((done) => setTimeout(done, ms)),
): ScimHttp {
  const tokens: TokenSource =
    connection.auth === 'oauth'
      ? clientCredentials({
          tokenUrl: connection.tokenUrl ?? '',
          clientId: connection.clientId ?? '',
          clientSecret: connection.clientSecret,
          scope: connection.scope,
          timeoutMs: connection.timeoutMs,
        })
      : staticToken(connection.token);
  const system = scimServer(connection.baseUrl);

  async function once(
    method: string,
    url: string,
    body: unknown,
  ): Promise<{ response: Response; token: string }> {
    const token = await tokens.token();
    try {
      const response = await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/scim+json, application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(connection.timeoutMs),
      });
      return { response, token };
    } catch (error) {
      throw networkError(error, system, connection.timeoutMs);
    }
  }

  return {
    system,
    async request<T>(method: string, path: string, request: ScimRequest = {}): Promise<ScimAnswer<T>> {
      const url = new URL(`${connection.baseUrl}${path}`);
      for (const [name, value] of Object.entries(request.query ?? {}))
        url.searchParams.set(name, String(value));
      let refreshed = false;
      for (let attempt = 0; ; attempt++) {
        const { response, token } = await once(method, url.href, request.body);
        if (response.status === 401 && connection.auth === 'oauth' && !refreshed) {
          await response.body?.cancel();
          tokens.invalidate(token);
          refreshed = true;
          attempt--;
          continue;
        }
        if (retryable.has(response.status) && attempt < connection.maxRetries) {
          await response.body?.cancel();
          await sleep(retryDelay(response.headers.get('retry-after'), attempt, connection.maxRetryDelayMs));
          continue;
        }
        const text = await response.text();
        const body = text === '' ? undefined : parseJson(text);
        if (response.ok || request.accept?.includes(response.status)) {
          return { status: response.status, body: body as T | undefined };
        }
        throw statusError(
          { method, path, status: response.status, body, retries: attempt },
          system,
          connection.auth,
        );
      }
    },
  };
}

/** `Retry-After` in seconds or as an HTTP date; else 250 ms doubling per attempt. Capped. */
export function retryDelay(header: string | null, attempt: number, maxMs: number, now = Date.now()): number {
  let ms = 250 * 2 ** attempt;
  if (header !== null) {
    const seconds = Number(header.trim());
    if (header.trim() !== '' && Number.isFinite(seconds)) ms = seconds * 1000;
    else {
      const date = Date.parse(header);
      if (!Number.isNaN(date)) ms = date - now;
    }
  }
  return Math.min(Math.max(ms, 0), maxMs);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text.slice(0, 200);
  }
}
