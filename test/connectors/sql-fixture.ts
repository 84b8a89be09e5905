import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { inject } from 'vitest';
import { createMariadbDatabase, mariadbAvailable, mariadbOptions, withMariadb } from '../helpers/mariadb.ts';
import { databaseUrl, withAdmin } from '../helpers/postgres.ts';

export type Dialect = 'postgres' | 'mysql';

/** A throwaway database of one dialect, with a helper to run setup SQL in it. */
export type SqlFixture = {
  dialect: Dialect;
  connection: Record<string, unknown>;
  run(statement: string, params?: unknown[]): Promise<unknown[]>;
  drop(): Promise<void>;
};

export const dialectsAvailable: Record<Dialect, boolean> = {
  postgres: inject('postgres'),
  mysql: await mariadbAvailable(),
};

export async function createSqlFixture(dialect: Dialect): Promise<SqlFixture> {
  if (dialect === 'mysql') {
    const { database, drop } = await createMariadbDatabase();
    return {
      dialect,
      connection: {
        dialect,
        host: mariadbOptions.host,
        port: mariadbOptions.port,
        database,
        user: mariadbOptions.user,
      },
      run: (statement, params = []) =>
        withMariadb(database, async (db) => (await db.query(statement, params))[0] as unknown[]),
      drop,
    };
  }
  const database = `trueup_c_${randomBytes(5).toString('hex')}`;
  await withAdmin((sql) => sql.unsafe(`create database ${database}`));
  const url = new URL(databaseUrl(database));
  const sql = postgres(url.toString(), { max: 1, onnotice: () => {} });
  return {
    dialect,
    connection: { dialect, host: url.hostname, port: Number(url.port || 5432), database, user: url.username },
    run: async (statement, params = []) => [...(await sql.unsafe(statement, params as never[]))],
    drop: async () => {
      await sql.end({ timeout: 5 });
      await withAdmin((admin) => admin.unsafe(`drop database if exists ${database} with (force)`));
    },
  };
}

/** The same table in both dialects: a text key, a boolean-ish enabled flag, a change timestamp. */
export function peopleTable(dialect: Dialect): string {
  const timestamp = dialect === 'postgres' ? 'timestamptz(3)' : 'datetime(3)';
  return `create table people (
    id varchar(20) primary key, name varchar(100), dept varchar(20),
    enabled ${dialect === 'postgres' ? 'boolean' : 'tinyint(1)'} not null default true,
    updated_at ${timestamp} not null)`;
}
