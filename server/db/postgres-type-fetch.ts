/**
 * postgres.js (3.4.9, the latest) runs an array-type query as the first statement of every new
 * connection and drops its promise (porsager/postgres#1192, #1205, #1223): when that query fails —
 * the connection is reset, a backend is terminated, a source's statement_timeout cancels it — the
 * rejection is unhandled, and Node ends the whole process. The query that opened the connection
 * fails or succeeds on its own and is answered as usual, so losing the type query costs nothing
 * but a line. Every other unhandled rejection still ends the process, as Node's default does.
 */
export function isDroppedTypeFetch(reason: unknown): boolean {
  const query = (reason as { query?: unknown } | null)?.query;
  return typeof query === 'string' && /\bb\.typarray\b[\s\S]*\bpg_catalog\.pg_type\b/.test(query);
}

export function survivePostgresTypeFetch(warn: (line: string) => void): void {
  process.on('unhandledRejection', (reason) => {
    if (!isDroppedTypeFetch(reason)) throw reason;
    const { code, message } = reason as { code?: string; message?: string };
    warn(
      `trueup: a new PostgreSQL connection failed while it started (${code ?? 'error'}: ${message}); the query on it is answered on its own`,
    );
  });
}
