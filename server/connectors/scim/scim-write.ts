import type { WriteOp, WriteResult } from '../../core/connector-port.ts';
import type { AttributePatch } from '../../core/model.ts';
import {
  assignAttribute,
  isTypedValue,
  patchOperations,
  type ScimResource,
  toResource,
} from './scim-attributes.ts';
import type { ScimContext } from './scim-context.ts';

const patchOpSchema = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/**
 * Writes in order, one request (or two) per op: create is POST (a 409 uniqueness answer updates
 * the existing resource instead), update is PATCH — or GET and PUT when the ServiceProviderConfig
 * says PATCH is unsupported — disable is `active: false`, delete is DELETE (404 = already gone).
 */
export async function writeScim(context: ScimContext, ops: WriteOp[]): Promise<WriteResult[]> {
  const results: WriteResult[] = [];
  for (const op of ops) {
    try {
      results.push(await writeOne(context, op));
    } catch (error) {
      results.push({ ok: false, message: error instanceof Error ? error.message : String(error) });
    }
  }
  return results;
}

async function writeOne(context: ScimContext, op: WriteOp): Promise<WriteResult> {
  const what = `SCIM ${context.connection.resourceType.toLowerCase()} with ${context.uniqueFieldKey} "${op.key}"`;
  switch (op.op) {
    case 'create': {
      if (context.uniqueFieldKey === 'id') {
        return {
          ok: false,
          message: 'the SCIM server assigns ids; key the system by userName or externalId to create',
        };
      }
      const body = toResource(context.schema, { ...op.attributes, [context.uniqueFieldKey]: op.key });
      const answer = await context.http.request<ScimResource>('POST', context.endpoint, {
        body,
        accept: [409],
      });
      if (answer.status !== 409) {
        if (answer.body) context.remember(answer.body);
        return { ok: true };
      }
      // uniqueness: the account exists, so creating it means bringing it to these attributes.
      const id = await context.resolveId(op.key);
      if (!id) return { ok: false, message: `${what} exists (409) but cannot be found by filter` };
      await update(context, id, op.attributes);
      return { ok: true };
    }
    case 'update':
    case 'disable': {
      if (op.op === 'disable' && context.connection.resourceType !== 'User') {
        return { ok: false, message: 'a SCIM group has no active flag to disable; delete it instead' };
      }
      const id = await context.resolveId(op.key);
      if (!id) return { ok: false, message: `${what} does not exist` };
      const patch: AttributePatch = op.op === 'disable' ? { active: false } : op.patch;
      const done = await update(context, id, patch);
      return done ? { ok: true } : { ok: false, message: `${what} does not exist` };
    }
    case 'delete': {
      const id = await context.resolveId(op.key);
      if (!id) {
        // "Gone" must mean gone, not "the server ignored the filter".
        if ((await context.filtersHonoured()) === false) {
          return {
            ok: false,
            message: `cannot find ${what}: the server does not apply filters on ${context.uniqueFieldKey}`,
          };
        }
        return { ok: true };
      }
      await context.http.request('DELETE', `${context.endpoint}/${encodeURIComponent(id)}`, {
        accept: [404],
      });
      return { ok: true };
    }
  }
}

/** PATCH, or GET + PUT where PATCH is unsupported. False when the resource is gone. */
async function update(context: ScimContext, id: string, patch: AttributePatch): Promise<boolean> {
  const path = `${context.endpoint}/${encodeURIComponent(id)}`;
  const { patch: patchSupported } = await context.provider();
  if (patchSupported) {
    let current: ScimResource | undefined;
    if (Object.keys(patch).some(isTypedValue)) {
      const read = await context.http.request<ScimResource>('GET', path, { accept: [404] });
      if (read.status === 404) return false;
      current = read.body;
    }
    const operations = patchOperations(patch, current);
    if (operations.length === 0) return true;
    const answer = await context.http.request<ScimResource>('PATCH', path, {
      body: { schemas: [patchOpSchema], Operations: operations },
      accept: [404],
    });
    if (answer.status === 404) return false;
    if (answer.body) context.remember(answer.body);
    return true;
  }
  const current = await context.http.request<ScimResource>('GET', path, { accept: [404] });
  if (current.status === 404 || !current.body) return false;
  const { meta: _meta, groups: _groups, ...resource } = current.body;
  for (const [name, value] of Object.entries(patch)) assignAttribute(resource, name, value);
  const answer = await context.http.request<ScimResource>('PUT', path, { body: resource, accept: [404] });
  if (answer.status === 404) return false;
  if (answer.body) context.remember(answer.body);
  return true;
}
