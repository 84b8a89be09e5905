import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnector } from '../../server/connectors/index.ts';
import type { Connector } from '../../server/core/connector-port.ts';
import { drain, expectSentence, failureOf } from './read-failures.ts';
import { createSqlFixture, type Dialect, dialectsAvailable, type SqlFixture } from './sql-fixture.ts';

/**
 * A SQL system that fails (issue 15): every failure of a read is one sentence naming the server and
 * saying what to do, asserted against the real PostgreSQL and MariaDB: refused, lost mid-read,
 * credentials, TLS, timeouts.
 */
/** Enough rows that MariaDB cannot have sent them all before its session is killed. */
const rows = 40_000;

for (const dialect of ['postgres', 'mysql'] as Dialect[]) {
  const server = dialect === 'postgres' ? 'PostgreSQL' : 'MySQL/MariaDB';
  describe.runIf(dialectsAvailable[dialect])(`SQL read failures [${dialect}]`, () => {
    let db: SqlFixture;
    let silent: Server;
    let silentPort: number;
    const open: Connector[] = [];
    const system = (connection: Record<string, unknown> = {}, secrets: Record<string, string> = {}) => {
      const connector = createConnector({
        type: 'sql',
        uniqueFieldKey: 'id',
        connection: { ...db.connection, table: 'big', ...connection },
        secrets,
      });
      open.push(connector);
      return connector;
    };
    const port = () => Number(db.connection.port);

    beforeAll(async () => {
      db = await createSqlFixture(dialect);
      await db.run('create table big (id int primary key, pad varchar(200))');
      if (dialect === 'postgres') {
        await db.run(`insert into big select g, repeat('x', 200) from generate_series(1, ${rows}) g`);
      } else {
        for (let at = 0; at < rows; at += 2000) {
          const values = Array.from({ length: 2000 }, (_, i) => `(${at + i + 1}, repeat('x', 200))`);
          await db.run(`insert into big values ${values.join(', ')}`);
        }
      }
      // A peer that takes connections and never says a word: a connect timeout.
      silent = createServer(() => {});
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      silentPort = (silent.address() as { port: number }).port;
    });
    afterAll(async () => {
      for (const connector of open) await connector.close().catch(() => {});
      silent?.close();
      await db?.drop();
    });

    /** Ends every other session on the test database, as an administrator (or a crash) would. */
    const killReaders = async () => {
      if (dialect === 'postgres') {
        await db.run(
          `select pg_terminate_backend(pid) from pg_stat_activity
           where datname = current_database() and application_name = 'trueup' and pid <> pg_backend_pid()`,
        );
        return;
      }
      const sessions = (await db.run(
        'select id from information_schema.processlist where db = database() and id <> connection_id()',
      )) as Array<{ id: number }>;
      for (const { id } of sessions) await db.run(`kill ${Number(id)}`);
    };

    it('a refused connection', async () => {
      const message = await failureOf(drain(system({ port: 1 }).search({})));
      expect(message).toBe(
        `the ${server} server 127.0.0.1:1 refused the connection while reading page 1: check that it is running and that its address is right, then run again`,
      );
      expectSentence(message);
    });

    it('the session ended mid-read: the read fails, it does not end short', async () => {
      const connector = system();
      const message = await failureOf(
        drain(connector.search({ pageSize: 500 }), async (page) => {
          if (page === 2) await killReaders();
        }),
      );
      // PostgreSQL hands rows over a cursor, 500 at a time; MariaDB streams ahead into the socket,
      // so where it notices depends on buffers.
      const at =
        dialect === 'postgres' ? 'page 3 \\(after 1,000 rows\\)' : 'page \\d+ \\(after [\\d,]+ rows\\)';
      expect(message).toMatch(
        new RegExp(
          `^the ${server.replace('/', '\\/')} server 127\\.0\\.0\\.1:${port()} closed the connection while reading ${at}: check that it is running and reachable, then run again$`,
        ),
      );
      expectSentence(message);
    });

    it('credentials refused', async () => {
      const user = dialect === 'postgres' ? { user: 'no_such_user' } : {};
      const message = await failureOf(drain(system(user, { password: 'wrong-secret-123' }).search({})));
      expect(message).toBe(
        `the ${server} server 127.0.0.1:${port()} refused the credentials of user "${dialect === 'postgres' ? 'no_such_user' : 'root'}" while reading page 1: check the user and password, then run again`,
      );
      expect(message).not.toContain('wrong-secret-123');
      expectSentence(message);
    });

    it('TLS asked of a server without it', async () => {
      const message = await failureOf(drain(system({ ssl: { mode: 'require' } }).search({})));
      // PostgreSQL says no to TLS, yet postgres.js tries the handshake: which one ends first varies.
      const reasons =
        dialect === 'postgres'
          ? ['it does not support TLS', 'it closed the connection during the TLS handshake']
          : ['it does not support TLS'];
      expect(
        reasons.map(
          (reason) =>
            `TLS with the ${server} server 127.0.0.1:${port()} failed (${reason}) while reading page 1: check ssl.mode and ssl.ca, then run again`,
        ),
      ).toContain(message);
      expectSentence(message);
    });

    it('a statement that runs out of time on the server', async () => {
      const slow =
        dialect === 'postgres'
          ? { importQuery: 'select id, pg_sleep(1) from big where id = 1', statementTimeoutMs: 100 }
          : {
              importQuery:
                'SET STATEMENT max_statement_time=0.1 FOR select id, sleep(1) from big where id = 1',
            };
      const message = await failureOf(drain(system(slow).search({})));
      expect(message).toBe(
        dialect === 'postgres'
          ? `the PostgreSQL server 127.0.0.1:${port()} stopped the query after 100 ms (statementTimeoutMs) while reading page 1: make the query faster (an index on what it filters), or raise statementTimeoutMs, then run again`
          : `the MySQL/MariaDB server 127.0.0.1:${port()} stopped the query at its own time limit (max_statement_time) while reading page 1: make the query faster (an index on what it filters), or raise the server's max_statement_time for user "root", then run again`,
      );
      expectSentence(message);
    });

    it('a server that never answers the connection', async () => {
      const message = await failureOf(drain(system({ port: silentPort, connectTimeoutMs: 300 }).search({})));
      expect(message).toBe(
        `the ${server} server 127.0.0.1:${silentPort} did not accept the connection within 300 ms (connectTimeoutMs) while reading page 1: check that it is running and reachable, then run again`,
      );
      expectSentence(message);
    });

    it('a lookup says it was looking up, and test() says the same without the read', async () => {
      const lookup = await failureOf(system({ port: 1 }).lookup?.(['1', '2'], {}) ?? Promise.resolve());
      expect(lookup).toBe(
        `the ${server} server 127.0.0.1:1 refused the connection while looking up 2 accounts by key: check that it is running and that its address is right, then run again`,
      );
      expect(await system({ port: 1 }).test()).toEqual({
        ok: false,
        message: `the ${server} server 127.0.0.1:1 refused the connection: check that it is running and that its address is right, then run again`,
      });
    });
  });
}
