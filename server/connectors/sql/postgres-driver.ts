import postgres from 'postgres';
import type { SqlDriver, SqlParam } from './sql-driver.ts';
import type { SqlConnection } from './sql-settings.ts';

export function createPostgresDriver(connection: SqlConnection): SqlDriver {
  const sql = postgres({
    host: connection.host,
    port: connection.port ?? 5432,
    database: connection.database,
    username: connection.user,
    password: connection.password,
    max: connection.pool.max,
    connect_timeout: Math.ceil(connection.connectTimeoutMs / 1000),
    idle_timeout: 30,
    ssl: tlsOptions(connection),
    connection: { statement_timeout: connection.statementTimeoutMs, application_name: 'trueup' },
    onnotice: () => {},
    // Timestamps and numbers stay as the driver parses them; the connector turns them into attributes.
    // A DATE (oid 1082) is a day, not an instant: read as `YYYY-MM-DD`, as written (a Date would
    // read as a midnight timestamp, unequal to the day the IDM holds, and rewrite on every run).
    types: { day: { to: 1082, from: [1082], serialize: (day: string) => day, parse: (day: string) => day } },
    prepare: true,
  });
  return {
    quote: (identifier) => `"${identifier.replaceAll('"', '""')}"`,
    placeholder: (position) => `$${position}`,
    async columns(schema, table) {
      const rows = await sql<{ name: string; type: string }[]>`
        select column_name as name, data_type as type from information_schema.columns
        where table_schema = ${schema ?? sql`current_schema()`} and table_name = ${table}
        order by ordinal_position`;
      return [...rows];
    },
    async *stream(text, params, batchSize) {
      yield* sql.unsafe(text, params as postgres.ParameterOrJSON<never>[]).cursor(batchSize);
    },
    async execute(text, params: SqlParam[]) {
      const result = await sql.unsafe(text, params as postgres.ParameterOrJSON<never>[]);
      return result.count;
    },
    close: () => sql.end({ timeout: 5 }),
  };
}

/** libpq's meaning: `require` encrypts without checking the certificate, `verify-full` checks both. */
function tlsOptions(connection: SqlConnection) {
  if (connection.ssl.mode === 'disable') return false;
  if (connection.ssl.mode === 'require') return { rejectUnauthorized: false };
  return { rejectUnauthorized: true, ...(connection.ssl.ca ? { ca: connection.ssl.ca } : {}) };
}
