import type { SqlConnection } from './sql-settings.ts';

/**
 * Turns a driver error into a message an integrator can act on, one per failure kind. PostgreSQL
 * SQLSTATEs and MySQL error codes differ; both land on the same words. The password is never part
 * of a driver message, and is scrubbed anyway in case a future driver echoes its options.
 */
export function describeSqlError(error: unknown, connection: SqlConnection): string {
  const e = error as { code?: string; errno?: number; message?: string };
  const code = e.code ?? '';
  const where = `${connection.host}:${connection.port ?? (connection.dialect === 'postgres' ? 5432 : 3306)}`;
  const raw = e.message ?? String(error);
  const message = connection.password ? raw.replaceAll(connection.password, '********') : raw;
  if (
    ['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT', 'CONNECT_TIMEOUT', 'EAI_AGAIN'].includes(code)
  ) {
    return `cannot reach the database server at ${where} (${code})`;
  }
  if (code === '28P01' || code === '28000' || code === 'ER_ACCESS_DENIED_ERROR') {
    return `the server at ${where} refused the credentials of user "${connection.user}"`;
  }
  if (code === '3D000' || code === 'ER_BAD_DB_ERROR') {
    return `database "${connection.database}" does not exist on ${where}`;
  }
  if (
    code === 'HANDSHAKE_NO_SSL_SUPPORT' ||
    /SSL|TLS|certificate/i.test(message) ||
    code.startsWith('ERR_TLS')
  ) {
    return `TLS failure with ${where}: ${message}`;
  }
  if (code === '42601' || code === 'ER_PARSE_ERROR') return `the query is not valid SQL: ${message}`;
  if (code === '42P01' || code === 'ER_NO_SUCH_TABLE') return `the query names a missing table: ${message}`;
  if (code === '42703' || code === 'ER_BAD_FIELD_ERROR')
    return `the query names a missing column: ${message}`;
  if (code === '57014' || code === 'PROTOCOL_SEQUENCE_TIMEOUT') return `the statement timed out: ${message}`;
  return message;
}
