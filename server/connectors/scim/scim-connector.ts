import type { ConnectionTest, Connector, SchemaAttribute } from '../../core/connector-port.ts';
import type { Account } from '../../core/model.ts';
import { createScimContext, type ListResponse, type ScimContext } from './scim-context.ts';
import { lookupScim, searchScim } from './scim-search.ts';
import type { ScimConnection } from './scim-settings.ts';
import { writeScim } from './scim-write.ts';

/**
 * A SCIM 2.0 service provider as a managed system (RFC 7643/7644), over fetch: no SCIM client
 * library on npm is maintained, and the protocol is small. See scim-attributes.ts for how
 * resources become flat attributes.
 */
export function createScimConnector(connection: ScimConnection, uniqueFieldKey: string): Connector {
  const context = createScimContext(connection, uniqueFieldKey);
  return {
    test: () => testScim(context),
    schema: () => readSchema(context),
    search: (request) => searchScim(context, request),
    lookup: (keys, request) => lookupScim(context, keys, request),
    // Users carry `active`; a group has no disabled state (disable is refused for groups).
    ...(connection.resourceType === 'User'
      ? { isDisabled: (account: Account) => context.disabled.isDisabled(account) }
      : {}),
    write: (ops) => writeScim(context, ops),
    close: async () => {},
  };
}

/**
 * Reads /ServiceProviderConfig (which may be open to anyone, RFC 7644 §4), then one resource of
 * the system's type, which proves the credentials, and checks that the server applies filters.
 */
async function testScim(context: ScimContext): Promise<ConnectionTest> {
  try {
    const provider = await context.provider();
    const { body } = await context.http.request<ListResponse>('GET', context.endpoint, {
      query: { startIndex: 1, count: 1 },
    });
    const filters = await context.filtersHonoured();
    const details = { ...provider, totalResults: body?.totalResults ?? 0, filtersHonoured: filters ?? null };
    const updates = provider.patch ? 'PATCH' : 'PUT (the server does not support PATCH)';
    if (filters === false) {
      return {
        ok: false,
        message: `${context.http.system} ignores filters on ${context.uniqueFieldKey}, so accounts cannot be found by key: key the system by an attribute it filters on`,
        details,
      };
    }
    return {
      ok: true,
      message: `${context.http.system}: ${details.totalResults} ${context.endpoint.slice(1)}; updates use ${updates}`,
      details,
    };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

type SchemaDefinition = {
  id: string;
  attributes?: Array<{
    name: string;
    type?: string;
    multiValued?: boolean;
    subAttributes?: SchemaDefinition['attributes'];
  }>;
};

/** The attributes of the resource type's schema and extensions (/ResourceTypes, /Schemas). */
async function readSchema(context: ScimContext): Promise<SchemaAttribute[]> {
  const type = await context.http.request<{ schema?: string; schemaExtensions?: Array<{ schema: string }> }>(
    'GET',
    `/ResourceTypes/${context.connection.resourceType}`,
    { accept: [404] },
  );
  const ids = [
    type.body?.schema ?? context.schema,
    ...(type.body?.schemaExtensions ?? []).map((e) => e.schema),
  ];
  const out: SchemaAttribute[] = [];
  for (const id of ids) {
    const { body } = await context.http.request<SchemaDefinition>(
      'GET',
      `/Schemas/${encodeURIComponent(id)}`,
      {
        accept: [404],
      },
    );
    const prefix = id === context.schema ? '' : `${id}:`;
    for (const attribute of body?.attributes ?? []) {
      const name = `${prefix}${attribute.name}`;
      if (attribute.type === 'complex' && !attribute.multiValued) {
        for (const sub of attribute.subAttributes ?? []) {
          out.push({ name: `${name}.${sub.name}`, ...(sub.type ? { type: sub.type } : {}) });
        }
      } else {
        out.push({
          name,
          ...(attribute.type ? { type: attribute.type } : {}),
          multiValued: !!attribute.multiValued,
        });
      }
    }
  }
  return out;
}
