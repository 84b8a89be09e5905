import mysql from 'mysql2';
import type { SqlDriver, SqlRow } from './sql-driver.ts';
import type { SqlConnection } from './sql-settings.ts';

export function createMysqlDriver(connection: SqlConnection): SqlDriver {
  const pool = mysql.createPool({
    host: connection.host,
    port: connection.port ?? 3306,
    database: connection.database,
    user: connection.user,
    password: connection.password,
    connectionLimit: connection.pool.max,
    connectTimeout: connection.connectTimeoutMs,
    // Dates are read and written as UTC, so watermarks compare the same on every server.
    timezone: 'Z',
    // A DATE is a day, not an instant: read as `YYYY-MM-DD`, as written (a Date would be a
    // midnight that compares unequal to the day the IDM holds, and rewrites on every run).
    dateStrings: ['DATE'],
    // MySQL's BOOLEAN is TINYINT(1): read as true/false, so a flag written as a boolean reads back as one.
    typeCast: (field, next) => {
      if (field.type !== 'TINY' || field.length !== 1) return next();
      const text = field.string();
      return text === null ? null : text !== '0';
    },
    supportBigNumbers: true,
    ssl: tlsOptions(connection),
  });
  const promisePool = pool.promise();
  const timeout = connection.statementTimeoutMs;
  return {
    quote: (identifier) => `\`${identifier.replaceAll('`', '``')}\``,
    placeholder: () => '?',
    async columns(schema, table) {
      const [rows] = await promisePool.query({
        sql: `select column_name as name, data_type as type from information_schema.columns
              where table_schema = coalesce(?, database()) and table_name = ? order by ordinal_position`,
        values: [schema ?? null, table],
        timeout,
      });
      return rows as Array<{ name: string; type: string }>;
    },
    stream: (text, params, batchSize) => streamRows(pool, text, params, batchSize),
    async execute(text, params) {
      const [result] = await promisePool.execute({ sql: text, values: params, timeout });
      return (result as mysql.ResultSetHeader).affectedRows;
    },
    close: () => promisePool.end(),
  };
}

/**
 * A streaming query on one pooled connection: rows arrive as the server sends them and are handed
 * on in batches; the socket is paused while a batch is being processed (backpressure).
 */
async function* streamRows(pool: mysql.Pool, text: string, params: unknown[], batchSize: number) {
  const connection = await new Promise<mysql.PoolConnection>((resolve, reject) =>
    pool.getConnection((error, conn) => (error ? reject(error) : resolve(conn))),
  );
  const rows = connection.query(text, params).stream({ highWaterMark: batchSize });
  // A connection lost mid-result (the server killed it, or went away) is reported on the
  // connection, not on the query: without this the stream would neither end nor fail.
  const lost = (error: Error) => rows.destroy(error);
  connection.on('error', lost);
  let batch: SqlRow[] = [];
  let finished = false;
  try {
    for await (const row of rows) {
      batch.push(row as SqlRow);
      if (batch.length >= batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
    finished = true;
  } finally {
    connection.off('error', lost);
    // A connection left mid-result cannot be reused: the rest of the rows are still on its socket.
    if (finished) connection.release();
    else connection.destroy();
  }
}

function tlsOptions(connection: SqlConnection) {
  if (connection.ssl.mode === 'disable') return undefined;
  if (connection.ssl.mode === 'require') return { rejectUnauthorized: false };
  return { rejectUnauthorized: true, ...(connection.ssl.ca ? { ca: connection.ssl.ca } : {}) };
}
