/**
 * What `npm run bench:recon` reconciles: N accounts on the source and N IDM users on PostgreSQL,
 * linked, with a matching rule and a population policy. The mix: 90% unchanged, 5% attribute
 * drift, 2% orphans, 2% IDM-only, 1% deleted in the IDM.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import mysql from 'mysql2/promise';
import type { Database } from '../../server/db/client.ts';
import { managedSystems, reconConfigs, reconSituations } from '../../server/db/schema/index.ts';
import { savePolicy } from '../../server/sandbox/store.ts';
import { createPeopleTable, type Person, peopleCsv, peopleLdif, seededAt } from '../fixtures/people.ts';
import { rootDn, suffix } from '../fixtures/slapd.ts';

export const sources = ['csv', 'sql', 'ldap'] as const;
export type Source = (typeof sources)[number];

export const mariadb = {
  host: process.env.TEST_MARIADB_HOST ?? '127.0.0.1',
  port: Number(process.env.TEST_MARIADB_PORT ?? 3306),
  user: process.env.TEST_MARIADB_USER ?? 'root',
  password: process.env.TEST_MARIADB_PASSWORD ?? '',
};

/** Where the source lives: the CSV file's folder, the MariaDB database (sql). */
export type SeedTarget = { source: Source; n: number; workdir: string; mariadbDatabase: string | null };

const matching = `import { defineMatchingRule } from 'trueup:policy';
const key = (v: unknown) => (typeof v === 'string' ? v.trim().toLowerCase() : '');
export default defineMatchingRule({
  accountKeys: (account) => [key(account.key)].filter(Boolean),
  idmKeys: (user) => [key(user.attributes.employeeId)].filter(Boolean),
  score: () => 0,
});`;
export const populationSource = `import { definePopulation } from 'trueup:policy';
// LDAP reads cn and mail as lists (multi-valued in its schema); CSV and SQL as text.
const first = (v: unknown) => (Array.isArray(v) ? v[0] : v);
export default definePopulation(({ account }) => {
  const cn = first(account.attributes.cn);
  const mail = first(account.attributes.mail);
  return {
    employeeId: account.key,
    name: typeof cn === 'string' ? cn.trim() : null,
    email: typeof mail === 'string' ? mail.toLowerCase() : null,
  };
});`;
export const populationPolicy = 'bench/population.ts';

type Kind = 'unchanged' | 'drift' | 'orphan' | 'idmOnly' | 'deleted';
const kindOf = (i: number): Kind => {
  const r = i % 100;
  return r < 90 ? 'unchanged' : r < 95 ? 'drift' : r < 97 ? 'orphan' : r < 99 ? 'idmOnly' : 'deleted';
};
const uidOf = (i: number) => `E${String(i).padStart(7, '0')}`;

/** `count` accounts spread over the N, all linked and unchanged at seeding: they change on the source. */
export function changedUids(n: number, count: number): string[] {
  const unchanged: number[] = [];
  for (let i = 0; i < n; i++) if (kindOf(i) === 'unchanged') unchanged.push(i);
  const picked = new Set<number>();
  for (let k = 0; k < count; k++) picked.add(unchanged[Math.floor((k * unchanged.length) / count)] as number);
  return [...picked].map(uidOf);
}

/** The source's accounts, written where its connector reads them; returns the system's connection. */
async function seedSource(target: SeedTarget, people: Person[]): Promise<Record<string, unknown>> {
  switch (target.source) {
    case 'csv': {
      const file = path.join(target.workdir, 'hr.csv');
      writeFileSync(file, peopleCsv(people));
      return { path: file, watermarkColumn: 'updatedAt' };
    }
    case 'sql': {
      const database = target.mariadbDatabase as string;
      const connection = await mysql.createConnection({ ...mariadb, database, timezone: 'Z' });
      try {
        await createPeopleTable('mysql', (q, params) => connection.query(q, params), people);
      } finally {
        await connection.end();
      }
      return { dialect: 'mysql', ...mariadb, database, table: 'people', watermarkColumn: 'updated_at' };
    }
    case 'ldap':
      // slapadd loads this file in the parent; the URL is set once slapd listens.
      writeFileSync(path.join(target.workdir, 'seed.ldif'), peopleLdif(people));
      return { url: 'ldap://127.0.0.1:389', bindDn: rootDn, baseDn: `ou=people,${suffix}`, pageSize: 1000 };
  }
}

/** Seeds the source, the IDM side, the links, the policies and the config; returns the config's id. */
export async function seed(db: Database, target: SeedTarget): Promise<string> {
  const { source, n } = target;
  const people: Person[] = [];
  const users: object[] = [];
  const links: object[] = [];
  for (let i = 0; i < n; i++) {
    const kind = kindOf(i);
    const uid = uidOf(i);
    const name = `Person ${i}`;
    const mail = `p${i}@example.com`;
    if (kind !== 'idmOnly')
      people.push({
        uid,
        cn: kind === 'drift' ? `${name} Renamed` : name,
        mail,
        title: 'Engineer',
        changedAt: seededAt(i),
      });
    if (kind !== 'orphan') {
      const id = `u-${i}`;
      users.push({
        id,
        name,
        employeeId: uid,
        email: mail,
        status: kind === 'deleted' ? 'deleted' : 'active',
      });
      if (kind !== 'idmOnly') links.push({ account_key: uid, idm_object_id: id });
    }
  }
  const connection = await seedSource(target, people);
  const [system] = await db.orm
    .insert(managedSystems)
    .values({
      name: `bench-${source}`,
      type: source,
      trusted: true,
      uniqueFieldKey: 'uid',
      connection,
      attributes: ['uid', 'cn', 'mail'],
    })
    .returning();
  const systemId = system?.id as string;
  for (let at = 0; at < users.length; at += 20_000) {
    await db.rows(sql`insert into idm_objects (id, type, name, status, employee_id, email, attributes)
      select x.id, 'User', x.name, x.status, x."employeeId", x.email, jsonb_build_object('employeeId', x."employeeId", 'name', x.name, 'email', x.email)
      from jsonb_to_recordset(${JSON.stringify(users.slice(at, at + 20_000))}::jsonb) as x(id text, name text, status text, "employeeId" text, email text)`);
    await db.rows(sql`insert into links (system_id, object_type, account_key, idm_object_id)
      select ${systemId}, 'User', x.account_key, x.idm_object_id
      from jsonb_to_recordset(${JSON.stringify(links.slice(at, at + 20_000))}::jsonb) as x(account_key text, idm_object_id text)`);
  }
  for (const [p, text] of [
    ['bench/matching.ts', matching],
    [populationPolicy, populationSource],
  ] as const) {
    const saved = await savePolicy(db, p, text);
    if (!saved.saved) throw new Error(`${p}: ${JSON.stringify(saved.diagnostics)}`);
  }
  const [config] = await db.orm
    .insert(reconConfigs)
    .values({
      systemId,
      objectType: 'User',
      matchingPolicy: 'bench/matching.ts',
      policyMap: ['cn', 'mail'],
      attributeSync: {},
    })
    .returning();
  const configId = config?.id as string;
  await db.orm.insert(reconSituations).values([
    {
      configId,
      situation: 'IDM_EXISTS__RESOURCE_EXISTS',
      response: 'UPDATE_IDM_FROM_RESOURCE',
      populationPolicy,
    },
    { configId, situation: 'IDM_NOT_EXISTS__RESOURCE_EXISTS', response: 'ADD_TO_IDM', populationPolicy },
    { configId, situation: 'IDM_EXISTS__RESOURCE_NOT_EXISTS', response: 'DISABLE_IN_IDM' },
    { configId, situation: 'IDM_DELETED__RESOURCE_EXISTS', response: 'DELETE_FROM_RESOURCE' },
  ]);
  return configId;
}
