import { ConnectorConfigError } from '../../core/connector-port.ts';
import type { AttributePatch, Attributes, AttributeValue } from '../../core/model.ts';

/**
 * How SCIM resources (nested JSON, RFC 7643) become trueup's flat attributes and back:
 * - simple attributes keep their name (`userName`, `active`);
 * - sub-attributes of a complex attribute are dotted (`name.givenName`, `meta.lastModified`);
 * - extension attributes keep their URN prefix (`urn:…:enterprise:2.0:User:employeeNumber`);
 * - a multi-valued attribute is the list of its `value`s (`emails`, `members`, `groups`), its
 *   `display`s are `<name>.display`, and the value of one `type` is `<name>.<type>` (`emails.work`).
 */
export type ScimResource = Record<string, unknown> & { id?: string; meta?: { lastModified?: string } };

/** Attributes the server sets; a write never sends them. */
const readOnly = new Set(['id', 'meta', 'groups', 'schemas']);
/** Multi-valued whose first value is marked primary when written. */
const withPrimary = new Set(['emails', 'phoneNumbers', 'ims', 'photos']);
const booleans = new Set(['active', 'primary']);

const urnAttribute = /^(urn:[A-Za-z0-9.:_-]+):([A-Za-z][A-Za-z0-9_$-]*(?:\.[A-Za-z][A-Za-z0-9_$-]*)?)$/;
const plainAttribute = /^[A-Za-z][A-Za-z0-9_$-]*(?:\.[A-Za-z][A-Za-z0-9_$-]*)?$/;

/** A flat attribute name split into its schema URN (extensions), attribute and sub-attribute. */
export type AttributePath = { urn?: string; name: string; sub?: string };

export function parseAttributeName(attribute: string): AttributePath {
  const urn = urnAttribute.exec(attribute);
  const local = urn ? urn[2]! : attribute;
  if (!urn && !plainAttribute.test(attribute)) {
    throw new ConnectorConfigError('attributes', `"${attribute}" is not a SCIM attribute name`);
  }
  const [name, sub] = local.split('.') as [string, string | undefined];
  return { ...(urn ? { urn: urn[1] } : {}), name, ...(sub ? { sub } : {}) };
}

/** The attribute in SCIM's own path syntax, for `attributes=` and filters. */
export function scimPath(path: AttributePath): string {
  const local = path.sub ? `${path.name}.${path.sub}` : path.name;
  return path.urn ? `${path.urn}:${local}` : local;
}

function scalar(value: unknown): AttributeValue | undefined {
  if (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'boolean'
  ) {
    return value;
  }
  return undefined;
}

function flattenInto(out: Attributes, prefix: string, join: string, value: unknown) {
  const simple = scalar(value);
  if (simple !== undefined) {
    out[prefix] = simple;
    return;
  }
  if (Array.isArray(value)) {
    const items = value.filter((item) => item !== null && item !== undefined);
    if (items.every((item) => scalar(item) !== undefined)) {
      out[prefix] = items.map(String);
      return;
    }
    const complex = items as Array<Record<string, unknown>>;
    const ordered = [...complex].sort((a, b) => Number(b.primary === true) - Number(a.primary === true));
    out[prefix] = ordered.flatMap((item) => (item.value === undefined ? [] : [String(item.value)]));
    if (complex.some((item) => item.display !== undefined)) {
      out[`${prefix}.display`] = ordered.flatMap((item) =>
        item.display === undefined ? [] : [String(item.display)],
      );
    }
    for (const item of ordered) {
      const type = typeof item.type === 'string' ? item.type : undefined;
      if (
        type &&
        /^[A-Za-z][A-Za-z0-9_-]*$/.test(type) &&
        !(`${prefix}.${type}` in out) &&
        item.value !== undefined
      ) {
        out[`${prefix}.${type}`] = String(item.value);
      }
    }
    return;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [name, sub] of Object.entries(value)) flattenInto(out, `${prefix}${join}${name}`, '.', sub);
  }
}

/** A user's `active` as isDisabled reads it: false is disabled; absent says nothing. */
export function disabledIn(attributes: Attributes): boolean | undefined {
  const active = attributes.active;
  if (typeof active === 'boolean') return !active;
  if (typeof active === 'string' && /^(true|false)$/i.test(active)) return active.toLowerCase() === 'false';
  return undefined;
}

/** A resource as flat attributes (see the rules above); `schemas` is left out. */
export function toAttributes(resource: ScimResource): Attributes {
  const out: Attributes = {};
  for (const [name, value] of Object.entries(resource)) {
    if (name === 'schemas') continue;
    flattenInto(out, name, name.startsWith('urn:') ? ':' : '.', value);
  }
  return out;
}

function writable(name: string, value: AttributeValue): unknown {
  if (booleans.has(name) && typeof value === 'string' && /^(true|false)$/i.test(value)) {
    // Servers refuse the string "False" where the schema says boolean (SCIMMY does).
    return value.toLowerCase() === 'true';
  }
  return value;
}

function listValue(name: string, values: string[]) {
  return values.map((value, index) => ({
    value,
    ...(withPrimary.has(name) && index === 0 ? { primary: true } : {}),
  }));
}

/** Sets one flat attribute on a resource object (a create body or a whole resource for PUT). */
export function assignAttribute(resource: ScimResource, attribute: string, value: AttributeValue): void {
  const path = parseAttributeName(attribute);
  if (readOnly.has(path.name) && !path.urn) return;
  let holder: Record<string, unknown> = resource;
  if (path.urn) {
    holder = (resource[path.urn] as Record<string, unknown> | undefined) ?? {};
    resource[path.urn] = holder;
    const schemas = (resource.schemas as string[] | undefined) ?? [];
    if (!schemas.includes(path.urn)) resource.schemas = [...schemas, path.urn];
  }
  const current = holder[path.name];
  if (!path.sub) {
    if (value === null) delete holder[path.name];
    else if (Array.isArray(value)) holder[path.name] = listValue(path.name, value);
    else holder[path.name] = writable(path.name, value);
    return;
  }
  if (path.sub === 'display') return;
  if (Array.isArray(current) || withPrimary.has(path.name) || path.name === 'addresses') {
    // `emails.work`: the value of the item of that type.
    const items = (Array.isArray(current) ? current : []).filter(
      (item: { type?: unknown }) => item?.type !== path.sub,
    );
    holder[path.name] =
      value === null
        ? items
        : [...items, { type: path.sub, value: writable(path.sub, value as AttributeValue) }];
    return;
  }
  const complex = (typeof current === 'object' && current !== null ? current : {}) as Record<string, unknown>;
  if (value === null) delete complex[path.sub];
  else complex[path.sub] = writable(path.sub, value);
  holder[path.name] = complex;
}

export function toResource(schema: string, attributes: Attributes): ScimResource {
  const resource: ScimResource = { schemas: [schema] };
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== null) assignAttribute(resource, name, value);
  }
  return resource;
}

export type PatchOperation = { op: 'add' | 'replace' | 'remove'; path: string; value?: unknown };

/** `emails.work`, `addresses.home`: one typed value of a multi-valued attribute. */
export function isTypedValue(attribute: string): boolean {
  const path = parseAttributeName(attribute);
  return !!path.sub && path.sub !== 'display' && (withPrimary.has(path.name) || path.name === 'addresses');
}

/**
 * A patch as PatchOp operations (RFC 7644 §3.5.2); `null` removes. A typed value (`emails.work`)
 * replaces the whole attribute as it becomes from `current` (the resource read before), since a
 * `replace` through a value filter fails on servers when no value of that type exists yet.
 */
export function patchOperations(patch: AttributePatch, current: ScimResource = {}): PatchOperation[] {
  const operations: PatchOperation[] = [];
  const work: ScimResource = JSON.parse(JSON.stringify(current));
  const rebuilt = new Set<string>();
  for (const [attribute, value] of Object.entries(patch)) {
    const path = parseAttributeName(attribute);
    if ((readOnly.has(path.name) && !path.urn) || path.sub === 'display') continue;
    const local = path.urn ? `${path.urn}:${path.name}` : path.name;
    if (isTypedValue(attribute)) {
      assignAttribute(work, attribute, value);
      rebuilt.add(local);
      continue;
    }
    const target = path.sub ? `${local}.${path.sub}` : local;
    if (value === null) operations.push({ op: 'remove', path: target });
    else {
      const written = Array.isArray(value)
        ? listValue(path.name, value)
        : writable(path.sub ?? path.name, value);
      operations.push({ op: 'replace', path: target, value: written });
    }
  }
  for (const local of rebuilt) {
    const [urn, name] = local.includes(':')
      ? [local.slice(0, local.lastIndexOf(':')), local.slice(local.lastIndexOf(':') + 1)]
      : [undefined, local];
    const holder = (urn ? work[urn] : work) as Record<string, unknown> | undefined;
    const list = holder?.[name] as unknown[] | undefined;
    operations.push(
      list && list.length > 0 ? { op: 'replace', path: local, value: list } : { op: 'remove', path: local },
    );
  }
  return operations;
}
