/** The source side of `npm run bench:recon`: its connector, changes made on it, and a bare read of it. */
import mysql from 'mysql2/promise';
import { createConnector } from '../../server/connectors/index.ts';
import type { Connector } from '../../server/core/connector-port.ts';
import type { ManagedSystemRow } from '../../server/db/schema/index.ts';
import { changeLdapPeople, changeSqlPeople } from '../fixtures/people.ts';
import { rootPassword } from '../fixtures/slapd.ts';
import { mariadb } from './seed.ts';

export function openConnector(system: ManagedSystemRow): Connector {
  return createConnector({
    type: system.type,
    uniqueFieldKey: system.uniqueFieldKey,
    connection: system.connection,
    secrets: system.type === 'ldap' ? { bindPassword: rootPassword } : {},
  });
}

/** Sets `cn` of the given accounts on the source and stamps them changed, as an HR system would. */
export async function changeSource(system: ManagedSystemRow, uids: string[], value: string) {
  const chunks: string[][] = [];
  for (let at = 0; at < uids.length; at += 1000) chunks.push(uids.slice(at, at + 1000));
  switch (system.type) {
    case 'sql': {
      const database = system.connection.database as string;
      const connection = await mysql.createConnection({ ...mariadb, database, timezone: 'Z' });
      try {
        const run = (q: string, params?: unknown[]) => connection.query(q, params);
        for (const chunk of chunks) await changeSqlPeople('mysql', run, chunk, 'cn', value);
      } finally {
        await connection.end();
      }
      return;
    }
    case 'ldap':
      await changeLdapPeople(system.connection.url as string, uids, 'cn', value);
      return;
    default: {
      const connector = openConnector(system);
      const updatedAt = new Date().toISOString();
      try {
        for (const chunk of chunks) {
          const ops = chunk.map((key) => ({ op: 'update' as const, key, patch: { cn: value, updatedAt } }));
          const results = await connector.write(ops);
          if (results.some((r) => !r.ok)) throw new Error('changing the CSV file failed');
        }
      } finally {
        await connector.close();
      }
    }
  }
}

/** Seconds to read every account through the connector, nothing else (the attributes a run asks for). */
export async function timeFullRead(system: ManagedSystemRow, attributes: string[]) {
  const connector = openConnector(system);
  const started = performance.now();
  let accounts = 0;
  try {
    for await (const page of connector.search({ attributes })) accounts += page.accounts.length;
  } finally {
    await connector.close();
  }
  return { accounts, seconds: (performance.now() - started) / 1000 };
}
