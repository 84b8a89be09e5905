import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';

export const mariadbOptions = {
  host: process.env.TEST_MARIADB_HOST ?? '127.0.0.1',
  port: Number(process.env.TEST_MARIADB_PORT ?? 3306),
  user: process.env.TEST_MARIADB_USER ?? 'root',
  password: process.env.TEST_MARIADB_PASSWORD ?? '',
};

/**
 * Whether MariaDB/MySQL answers. Outside CI a missing server is a loud banner and the MariaDB
 * tests are skipped; under CI=true it fails the run.
 */
export async function mariadbAvailable(): Promise<boolean> {
  try {
    const connection = await mysql.createConnection({ ...mariadbOptions, connectTimeout: 3000 });
    await connection.end();
    return true;
  } catch (error) {
    const message = `MariaDB at ${mariadbOptions.host}:${mariadbOptions.port} is unreachable: ${(error as Error).message}`;
    if (process.env.CI === 'true') throw new Error(`${message}. Under CI=true this fails the run.`);
    const bar = '!'.repeat(100);
    process.stderr.write(`\n${bar}\n!! ${message}\n!! MariaDB tests are SKIPPED.\n${bar}\n\n`);
    return false;
  }
}

/** A fresh database on the MariaDB server; `drop` removes it. */
export async function createMariadbDatabase(): Promise<{ database: string; drop: () => Promise<void> }> {
  const database = `trueup_c_${randomBytes(5).toString('hex')}`;
  const admin = await mysql.createConnection(mariadbOptions);
  await admin.query(`create database ${database}`);
  await admin.end();
  return {
    database,
    drop: async () => {
      const connection = await mysql.createConnection(mariadbOptions);
      await connection.query(`drop database if exists ${database}`);
      await connection.end();
    },
  };
}

/** Runs statements on one database of the MariaDB server. */
export async function withMariadb<T>(database: string, fn: (db: mysql.Connection) => Promise<T>): Promise<T> {
  const connection = await mysql.createConnection({ ...mariadbOptions, database, timezone: 'Z' });
  try {
    return await fn(connection);
  } finally {
    await connection.end();
  }
}
