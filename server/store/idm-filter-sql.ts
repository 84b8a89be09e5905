import { type SQL, sql } from 'drizzle-orm';
import type { AttributeValue, IdmFilter } from '../core/model.ts';

/** An IDM filter the engine cannot turn into a query; the run fails with this message. */
export class IdmFilterError extends Error {
  override name = 'IdmFilterError';
}

/** Engine attribute names kept in their own indexed columns. */
const columns: Record<string, SQL> = {
  id: sql`o.id`,
  name: sql`o.name`,
  login: sql`o.login`,
  email: sql`o.email`,
  employeeId: sql`o.employee_id`,
  status: sql`o.status`,
};

const isScalar = (v: unknown): v is AttributeValue =>
  v === null ||
  ['string', 'number', 'boolean'].includes(typeof v) ||
  (Array.isArray(v) && v.every((x) => typeof x === 'string'));

function equals(attribute: string, value: AttributeValue): SQL {
  const column = columns[attribute];
  if (column) return value === null ? sql`${column} is null` : sql`${column} = ${String(value)}`;
  if (value === null) return sql`not (o.attributes ? ${attribute})`;
  return sql`o.attributes @> ${JSON.stringify({ [attribute]: value })}::jsonb`;
}

function condition(attribute: string, test: unknown, path: string): SQL {
  if (isScalar(test)) return equals(attribute, test);
  if (typeof test === 'object' && test !== null && !Array.isArray(test)) {
    const entries = Object.entries(test);
    const [operator, operand] = entries[0] ?? [];
    if (entries.length === 1 && operator === '$in' && Array.isArray(operand) && operand.every(isScalar)) {
      if (operand.length === 0) return sql`false`;
      return sql`(${sql.join(
        operand.map((v) => equals(attribute, v)),
        sql` or `,
      )})`;
    }
    if (entries.length === 1 && operator === '$exists' && typeof operand === 'boolean') {
      const column = columns[attribute];
      const present = column ? sql`${column} is not null` : sql`o.attributes ? ${attribute}`;
      return operand ? present : sql`not (${present})`;
    }
  }
  throw new IdmFilterError(
    `IDM filter at ${path}: expected a value, { $in: [...] } or { $exists: true|false }`,
  );
}

/** Turns an IDM filter (from the IDM query policy or the config) into a SQL condition over `o`. */
export function idmFilterToSql(filter: IdmFilter, path = 'filter'): SQL {
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) {
    throw new IdmFilterError(`IDM filter at ${path}: expected an object`);
  }
  const parts: SQL[] = [];
  for (const [key, value] of Object.entries(filter)) {
    if (key === '$and' || key === '$or') {
      if (!Array.isArray(value))
        throw new IdmFilterError(`IDM filter at ${path}.${key}: expected a list of filters`);
      if (value.length === 0) {
        parts.push(key === '$and' ? sql`true` : sql`false`);
        continue;
      }
      const inner = value.map((f, i) => idmFilterToSql(f as IdmFilter, `${path}.${key}[${i}]`));
      parts.push(sql`(${sql.join(inner, key === '$and' ? sql` and ` : sql` or `)})`);
    } else if (key.startsWith('$')) {
      throw new IdmFilterError(
        `IDM filter at ${path}: unknown operator "${key}" (use $and, $or, $in, $exists)`,
      );
    } else {
      parts.push(condition(key, value, `${path}.${key}`));
    }
  }
  return parts.length === 0 ? sql`true` : sql.join(parts, sql` and `);
}
