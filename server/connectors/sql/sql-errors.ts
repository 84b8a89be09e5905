import {
  connectionFailure,
  connectionFailureOf,
  credentialsRefused,
  duration,
  type Failure,
  firstLine,
  isTlsError,
  otherFailure,
  sentence,
  tlsFailure,
} from '../failure-messages.ts';
import type { SqlConnection } from './sql-settings.ts';

/** `the PostgreSQL server 127.0.0.1:5432`: how messages name the system. */
export function sqlServer(connection: SqlConnection): string {
  const port = connection.port ?? (connection.dialect === 'postgres' ? 5432 : 3306);
  const kind = connection.dialect === 'postgres' ? 'PostgreSQL' : 'MySQL/MariaDB';
  return `the ${kind} server ${connection.host}:${port}`;
}

/** MariaDB's own error numbers, which mysql2 knows no code for. */
const mariadbCodes: Record<number, string> = { 1927: 'ER_CONNECTION_KILLED', 1969: 'ER_STATEMENT_TIMEOUT' };

/** Sessions ended by the server or an administrator (pg_terminate_backend, KILL, a shutdown). */
const sessionEnded = ['57P01', '57P02', '57P03', 'ER_CONNECTION_KILLED', 'ER_SERVER_SHUTDOWN'];

/**
 * Turns a driver error into one sentence an integrator can act on: it names the server and, for a
 * read, where the read was (`during`). PostgreSQL SQLSTATEs and MySQL error codes differ; both land
 * on the same words. The password is never part of a driver message, and is scrubbed anyway in
 * case a future driver echoes its options.
 */
export function describeSqlError(error: unknown, connection: SqlConnection, during?: string): string {
  return sentence(sqlFailure(error, connection), during);
}

function sqlFailure(error: unknown, connection: SqlConnection): Failure {
  const e = error as { code?: string; errno?: number; message?: string };
  const code = e.code ?? mariadbCodes[e.errno ?? 0] ?? '';
  const raw = e.message ?? String(error);
  const message = connection.password ? raw.replaceAll(connection.password, '********') : raw;
  const system = sqlServer(connection);
  if (isTlsError(code, message)) {
    return tlsFailure(system, code, message, 'ssl.mode and ssl.ca');
  }
  const lost = connectionFailureOf(code) ?? (sessionEnded.includes(code) ? 'closed' : undefined);
  if (lost) {
    return connectionFailure(lost, system, {
      setting: 'connectTimeoutMs',
      ms: connection.connectTimeoutMs,
      connecting: true,
    });
  }
  if (code === '28P01' || code === '28000' || code === 'ER_ACCESS_DENIED_ERROR') {
    return credentialsRefused(system, `user "${connection.user}"`, 'the user and password');
  }
  if (code === '3D000' || code === 'ER_BAD_DB_ERROR') {
    return {
      what: `database "${connection.database}" does not exist on ${system}`,
      todo: "check the system's database name",
    };
  }
  if (code === '42601' || code === 'ER_PARSE_ERROR') {
    return {
      what: `${system} refused the query as invalid SQL (${firstLine(message)})`,
      todo: 'fix the import query or the target query policy',
    };
  }
  if (code === '42P01' || code === 'ER_NO_SUCH_TABLE') {
    return {
      what: `the query names a table that does not exist on ${system} (${firstLine(message)})`,
      todo: "fix the query or the system's table",
    };
  }
  if (code === '42703' || code === 'ER_BAD_FIELD_ERROR') {
    return {
      what: `the query names a column that does not exist on ${system} (${firstLine(message)})`,
      todo: 'fix the query or the column map',
    };
  }
  const faster = 'make the query faster (an index on what it filters)';
  if (code === '57014' || code === 'PROTOCOL_SEQUENCE_TIMEOUT') {
    return {
      what: `${system} stopped the query after ${duration(connection.statementTimeoutMs)} (statementTimeoutMs)`,
      todo: `${faster}, or raise statementTimeoutMs, then run again`,
    };
  }
  if (code === 'ER_STATEMENT_TIMEOUT') {
    return {
      what: `${system} stopped the query at its own time limit (max_statement_time)`,
      todo: `${faster}, or raise the server's max_statement_time for user "${connection.user}", then run again`,
    };
  }
  return otherFailure(system, message, "check the query and the server's log, then run again");
}
