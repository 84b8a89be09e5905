import type { LocalServer } from './local-server.ts';

/** An error answer of the API, with its code and message (`{ error: { code, message } }`). */
export class ApiClientError extends Error {
  override name = 'ApiClientError';
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** A small JSON client of a local server's API, for CLI commands run while it holds DATA_DIR. */
export function createApiClient(server: LocalServer) {
  async function send(method: string, path: string, body?: unknown): Promise<Response> {
    const response = await fetch(new URL(path, server.url), {
      method,
      headers: {
        authorization: `Bearer ${server.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) {
      const payload = (await response.json().catch(() => null)) as {
        error?: { code?: string; message?: string };
      } | null;
      throw new ApiClientError(
        response.status,
        payload?.error?.code ?? 'HTTP_ERROR',
        payload?.error?.message ?? `${method} ${path} answered ${response.status}`,
      );
    }
    return response;
  }
  return {
    json: async <T>(method: string, path: string, body?: unknown): Promise<T> =>
      (await (await send(method, path, body)).json()) as T,
    /** A GET whose body the caller streams (CSV exports). */
    stream: async (path: string): Promise<Response> => send('GET', path),
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;
