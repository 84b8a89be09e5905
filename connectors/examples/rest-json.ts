/**
 * An example connector plugin: accounts behind a small REST/JSON API. Copy this file into your
 * CONNECTORS_DIR (it is trusted code: it runs in the server and reaches the network) and create
 * systems with `type: "rest-json"`.
 *
 * The API it expects:
 *   GET    {baseUrl}/accounts?offset=&limit=[&since=ISO]  → { items: [{ ...attributes }], total }
 *   PUT    {baseUrl}/accounts/{key}   body: the attributes  (creates or replaces)
 *   PATCH  {baseUrl}/accounts/{key}   body: the changes     (404 when there is no such account)
 *   DELETE {baseUrl}/accounts/{key}                         (404 = already gone)
 * `since` returns the accounts whose `updatedAt` is at or after it.
 */
import {
  type Account,
  type Connector,
  ConnectorConfigError,
  defineConnector,
  type Page,
  type SearchRequest,
  type WriteOp,
  type WriteResult,
  z,
} from 'trueup:connector';

const settings = z.strictObject({
  baseUrl: z
    .string()
    .regex(/^https?:\/\/\S+$/, 'must be an http:// or https:// URL')
    .transform((url) => url.replace(/\/+$/, ''))
    .describe('Where the API lives, e.g. https://app.example.com/api'),
  token: z.string().default('').describe('A bearer token, if the API wants one'),
  pageSize: z.coerce.number().int().min(1).max(1000).default(100).describe('Accounts per request'),
  disabledField: z.string().min(1).default('active').describe('Set to false to disable an account'),
});

type Settings = z.output<typeof settings>;
type Item = Record<string, string | number | boolean | null | string[]>;

function restConnector(config: Settings, uniqueFieldKey: string): Connector {
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${config.baseUrl}${path}`, {
      method,
      headers: {
        accept: 'application/json',
        ...(config.token ? { authorization: `Bearer ${config.token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    return response;
  };
  const accountOf = (item: Item): Account | undefined => {
    const key = item[uniqueFieldKey];
    return key === undefined || key === null ? undefined : { key: String(key), attributes: item };
  };
  const url = (key: string) => `/accounts/${encodeURIComponent(key)}`;

  async function* search(request: SearchRequest): AsyncIterable<Page> {
    if (request.query) throw new ConnectorConfigError('query', 'a rest-json system takes no query');
    let watermark = request.watermark ?? null;
    for (let offset = 0; ; offset += config.pageSize) {
      const query = new URLSearchParams({ offset: String(offset), limit: String(config.pageSize) });
      if (request.watermark) query.set('since', request.watermark);
      const response = await call('GET', `/accounts?${query}`);
      if (!response.ok) throw new Error(`GET /accounts answered ${response.status}`);
      const { items, total } = (await response.json()) as { items: Item[]; total: number };
      const accounts: Account[] = [];
      const problems = [];
      for (const item of items) {
        const account = accountOf(item);
        if (account) accounts.push(account);
        else problems.push({ message: `an account without ${uniqueFieldKey}` });
        const changed = item.updatedAt;
        if (typeof changed === 'string' && (watermark === null || changed > watermark)) watermark = changed;
      }
      yield { accounts, problems, watermark };
      if (items.length === 0 || offset + items.length >= total) return;
    }
  }

  async function writeOne(op: WriteOp): Promise<WriteResult> {
    const answer = async (response: Response, missingIsOk: boolean): Promise<WriteResult> => {
      if (response.ok || (missingIsOk && response.status === 404)) return { ok: true };
      if (response.status === 404) return { ok: false, message: `no account "${op.key}"` };
      return { ok: false, message: `${response.status} ${await response.text()}` };
    };
    switch (op.op) {
      case 'create':
        return answer(await call('PUT', url(op.key), { ...op.attributes, [uniqueFieldKey]: op.key }), false);
      case 'update':
        return answer(await call('PATCH', url(op.key), op.patch), false);
      case 'disable':
        return answer(await call('PATCH', url(op.key), { [config.disabledField]: false }), false);
      case 'delete':
        return answer(await call('DELETE', url(op.key)), true);
    }
  }

  return {
    async test() {
      try {
        const response = await call('GET', '/accounts?offset=0&limit=1');
        if (!response.ok) return { ok: false, message: `GET /accounts answered ${response.status}` };
        const { total } = (await response.json()) as { total: number };
        return { ok: true, message: `${total} accounts at ${config.baseUrl}` };
      } catch (error) {
        return { ok: false, message: `cannot reach ${config.baseUrl}: ${(error as Error).message}` };
      }
    },
    async schema() {
      const response = await call('GET', '/accounts?offset=0&limit=1');
      const { items } = (await response.json()) as { items: Item[] };
      return Object.keys(items[0] ?? {}).map((name) => ({ name }));
    },
    search,
    async write(ops) {
      const results: WriteResult[] = [];
      for (const op of ops) results.push(await writeOne(op));
      return results;
    },
    async close() {},
  };
}

export default defineConnector({
  type: 'rest-json',
  description: 'Accounts behind a REST/JSON API (an example plugin)',
  settings,
  secretFields: ['token'],
  create: (config, { uniqueFieldKey }) => restConnector(config, uniqueFieldKey),
});
