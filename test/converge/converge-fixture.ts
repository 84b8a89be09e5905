import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createConnector } from '../../server/connectors/index.ts';
import type { Connector, WriteOp } from '../../server/core/connector-port.ts';
import type { Attributes, Response, Situation } from '../../server/core/model.ts';
import type { PolicyRunner } from '../../server/core/policy-port.ts';
import type { AttributeSync } from '../../server/core/recon-config.ts';
import type { Database } from '../../server/db/client.ts';
import { type ManagedSystemRow, reconConfigs } from '../../server/db/schema/index.ts';
import { createPolicyRunner, type PolicyService } from '../../server/sandbox/index.ts';
import { savePolicy } from '../../server/sandbox/store.ts';
import { createRunService } from '../../server/services/runs/run-service.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.ts';
import { clearIdm, eventsOf, runToEnd, setSituations } from '../runs/recon-fixture.ts';
import { insertSystem } from '../runs/recorded-connector.ts';

/**
 * Issue 15 item 1, "a property of the whole engine, tested as one": after any run, an immediate
 * second run with nothing changed outside makes 0 connector writes and 0 applied events, and
 * leaves the IDM as it was. Each connector's file runs the same cells (one per response, User and
 * Group configs) against one real peer; the writes are counted on the real connector, as the run
 * service opens it.
 */

/** One person in a cell's data, in the connector-neutral form each peer turns into its own accounts. */
export type Person = {
  id: string;
  name: string;
  email: string;
  /** A multi-valued attribute: CSV `;` text, LDAP `mail` values, SQL has none. */
  roles: string[];
  disabled?: boolean;
};

/** A cell's system on the peer: where its accounts are, and how a config reads them. */
export type PeerSystem = {
  type: string;
  uniqueFieldKey: string;
  connection: Record<string, unknown>;
  secrets: Record<string, string>;
  /** The attributes created accounts get (copied from the IDM by name). */
  attributes: string[];
  config: Partial<typeof reconConfigs.$inferInsert>;
};

export type UserPeer = {
  /** A fresh set of accounts, isolated from every other cell's. */
  users(cell: string, people: Person[]): Promise<PeerSystem>;
  /** The account's key on the system (a link's account key). */
  keyOf(cell: string, person: Person): string;
  /** The IDM attributes of a person as this system would give them (its attribute names). */
  idmAttributes(cell: string, person: Person): Attributes;
  close(): Promise<void>;
};

/** A group in a cell's data: its name and its members' person ids (or keys of entries no config reads). */
export type GroupSeed = { name: string; members: string[] };

/**
 * The peer's groups: people's accounts and groups listing them in the entitlement attribute, on one
 * system; a User config on it links the people first, then the Group config runs.
 */
export type GroupPeer = UserPeer & {
  groups(
    cell: string,
    people: Person[],
    groups: GroupSeed[],
  ): Promise<{
    system: PeerSystem;
    groupConfig: Partial<typeof reconConfigs.$inferInsert>;
    /**
     * false: the people are on another system (SCIM serves one resource type per system), so no
     * member has a link here and every member value is kept as the system gave it.
     */
    membersLinked?: boolean;
  }>;
  /** The IDM attributes of a group (without members) as this system would give them. */
  groupAttributes(cell: string, group: GroupSeed): Attributes;
};

type Table = Partial<Record<Situation, Response>>;
export type Cell = { response: Response; table: Table; attributeSync?: AttributeSync };

/**
 * Every response, in the situations it applies to. ADD_TO_IDM and ADD_TO_RESOURCE are paired with
 * the update of the same direction, so the second run also compares what the first one created
 * as it reads back (a value that does not survive the round trip shows as a rewrite).
 */
export const userCells: Cell[] = [
  {
    response: 'DO_NOTHING',
    table: {
      IDM_EXISTS__RESOURCE_EXISTS: 'DO_NOTHING',
      IDM_NOT_EXISTS__RESOURCE_EXISTS: 'DO_NOTHING',
      IDM_EXISTS__RESOURCE_NOT_EXISTS: 'DO_NOTHING',
      IDM_DELETED__RESOURCE_EXISTS: 'DO_NOTHING',
    },
  },
  {
    response: 'ADD_TO_IDM',
    table: {
      IDM_NOT_EXISTS__RESOURCE_EXISTS: 'ADD_TO_IDM',
      IDM_EXISTS__RESOURCE_EXISTS: 'UPDATE_IDM_FROM_RESOURCE',
    },
  },
  {
    response: 'UPDATE_IDM_FROM_RESOURCE',
    table: { IDM_EXISTS__RESOURCE_EXISTS: 'UPDATE_IDM_FROM_RESOURCE' },
  },
  {
    response: 'UPDATE_RESOURCE_FROM_IDM',
    table: { IDM_EXISTS__RESOURCE_EXISTS: 'UPDATE_RESOURCE_FROM_IDM' },
  },
  {
    response: 'ADD_TO_RESOURCE',
    table: {
      IDM_EXISTS__RESOURCE_NOT_EXISTS: 'ADD_TO_RESOURCE',
      IDM_EXISTS__RESOURCE_EXISTS: 'UPDATE_RESOURCE_FROM_IDM',
    },
  },
  {
    response: 'DISABLE_IN_RESOURCE',
    table: {
      IDM_NOT_EXISTS__RESOURCE_EXISTS: 'DISABLE_IN_RESOURCE',
      IDM_DELETED__RESOURCE_EXISTS: 'DISABLE_IN_RESOURCE',
    },
  },
  {
    response: 'DELETE_FROM_RESOURCE',
    table: {
      IDM_NOT_EXISTS__RESOURCE_EXISTS: 'DELETE_FROM_RESOURCE',
      IDM_DELETED__RESOURCE_EXISTS: 'DELETE_FROM_RESOURCE',
    },
  },
  { response: 'DISABLE_IN_IDM', table: { IDM_EXISTS__RESOURCE_NOT_EXISTS: 'DISABLE_IN_IDM' } },
  { response: 'DELETE_FROM_IDM', table: { IDM_EXISTS__RESOURCE_NOT_EXISTS: 'DELETE_FROM_IDM' } },
  // Whole tables as configs use them: a trusted source feeding the IDM, and the IDM provisioning.
  {
    response: 'ADD_TO_IDM',
    table: {
      IDM_NOT_EXISTS__RESOURCE_EXISTS: 'ADD_TO_IDM',
      IDM_EXISTS__RESOURCE_EXISTS: 'UPDATE_IDM_FROM_RESOURCE',
      IDM_EXISTS__RESOURCE_NOT_EXISTS: 'DISABLE_IN_IDM',
      IDM_DELETED__RESOURCE_EXISTS: 'DO_NOTHING',
    },
  },
  {
    response: 'ADD_TO_RESOURCE',
    table: {
      IDM_EXISTS__RESOURCE_NOT_EXISTS: 'ADD_TO_RESOURCE',
      IDM_EXISTS__RESOURCE_EXISTS: 'UPDATE_RESOURCE_FROM_IDM',
      IDM_NOT_EXISTS__RESOURCE_EXISTS: 'DISABLE_IN_RESOURCE',
      IDM_DELETED__RESOURCE_EXISTS: 'DELETE_FROM_RESOURCE',
    },
  },
];

/** A cell's test name: its response, or its whole table. */
const cellName = (cell: Cell) =>
  Object.keys(cell.table).length > 2 && cell.response !== 'DO_NOTHING'
    ? Object.entries(cell.table)
        .map(([situation, response]) => `${situation}→${response}`)
        .join(', ')
    : cell.response;

/**
 * A cell's people, one per situation: E1 on both sides with other values in the IDM, E2 only on
 * the system, E3 only on the system and disabled there already, E4 only in the IDM, E5 on the
 * system and linked to a deleted IDM object, E6 in the IDM and linked to an account that is gone.
 */
export const people: Person[] = [
  { id: 'E1', name: 'Ann Old', email: 'ann@old.example', roles: ['dev', 'admin'] },
  { id: 'E2', name: 'Bob Only', email: 'bob@example', roles: ['ops'] },
  { id: 'E3', name: 'Cid Off', email: 'cid@example', roles: [], disabled: true },
  { id: 'E4', name: 'Dee Idm', email: 'dee@example', roles: ['dev', 'qa'] },
  { id: 'E5', name: 'Eve Gone', email: 'eve@example', roles: ['ops'] },
  { id: 'E6', name: 'Fay Left', email: 'fay@example', roles: ['qa'] },
];
const onSystem = ['E1', 'E2', 'E3', 'E5'];
/** E1 as the IDM holds it: other values, the roles in another order. */
const e1InIdm: Person = {
  id: 'E1',
  name: 'Ann New',
  email: 'ann@new.example',
  roles: ['admin', 'dev', 'ops'],
};

/** A database for the IDM: real PostgreSQL when the suite has it, else PGlite. */
export function useIdmDatabase(): () => TestDatabase {
  let db: TestDatabase | undefined;
  beforeAll(async () => {
    db = await createTestDatabase(inject('postgres') ? 'postgres' : 'pglite');
  });
  afterAll(async () => {
    await db?.close();
  });
  return () => {
    if (!db) throw new Error('the IDM database is not open yet');
    return db;
  };
}

/** The run service with the real connectors, whose writes are counted (each op as the connector got it). */
export function countingRunService(
  db: Database,
  secretsOf: (system: ManagedSystemRow) => Record<string, string>,
  policies: PolicyRunner | null = null,
) {
  const writes: WriteOp[] = [];
  const openConnector = (system: ManagedSystemRow): Connector => {
    const connector = createConnector({
      type: system.type,
      uniqueFieldKey: system.uniqueFieldKey,
      connection: system.connection,
      secrets: secretsOf(system),
    });
    return {
      ...connector,
      write: async (ops) => {
        writes.push(...ops);
        return connector.write(ops);
      },
    };
  };
  const service = createRunService({
    db,
    log: { info: () => {}, warn: () => {} },
    policies,
    openConnector,
    retentionDays: 90,
  });
  return { service, writes };
}

/** What the IDM holds, without the times a run touches (last seen): a second run must leave it as is. */
export async function idmState(db: Database) {
  return {
    objects: await db.rows(sql`select id, type, status, version, attributes from idm_objects order by id`),
    links: await db.rows(
      sql`select system_id, object_type, account_key, idm_object_id, status, stale_since from links order by system_id, account_key`,
    ),
    memberships: await db.rows(
      sql`select member_id, target_id, system_id from idm_memberships order by member_id, target_id`,
    ),
    entitlements: await db.rows(
      sql`select system_id, account_key, idm_object_id, value from entitlements order by account_key, value`,
    ),
  };
}

export async function insertIdm(db: Database, type: string, attributes: Attributes, status = 'active') {
  const [row] = await db.rows<{ id: string }>(sql`
    insert into idm_objects (type, name, status, employee_id, email, attributes)
    values (${type}, ${String(attributes.name ?? attributes.employeeId ?? 'object')}, ${status},
      ${(attributes.employeeId as string) ?? null}, ${null}, ${JSON.stringify(attributes)}::jsonb)
    returning id`);
  return row?.id as string;
}

async function insertLink(
  db: Database,
  systemId: string,
  type: string,
  accountKey: string,
  idmObjectId: string,
) {
  await db.rows(sql`
    insert into links (system_id, object_type, account_key, idm_object_id, status)
    values (${systemId}, ${type}, ${accountKey}, ${idmObjectId}, 'active')`);
}

/**
 * Runs a config twice: the first run does what its table says (and must write something unless
 * the cell is DO_NOTHING); the second, with nothing changed outside, writes nothing.
 */
export async function assertConverges(
  db: Database,
  counted: ReturnType<typeof countingRunService>,
  configId: string,
  response: Response,
) {
  const first = await runToEnd(counted.service, db, { configId });
  const firstEvents = await eventsOf(db, first.id);
  expect(first.status, JSON.stringify(firstEvents.filter((e) => e.error))).toBe('succeeded');
  if (response !== 'DO_NOTHING') {
    expect(first.counts.applied?.[response], 'the first run carries the response out').toBeGreaterThan(0);
  }
  counted.writes.length = 0;
  const before = await idmState(db);
  const second = await runToEnd(counted.service, db, { configId });
  const events = await eventsOf(db, second.id);
  const written = events.filter((e) => e.outcome !== 'unchanged' && e.outcome !== 'recorded');
  expect(second.status).toBe('succeeded');
  expect(written, `no event of the second run writes anything: ${JSON.stringify(written)}`).toEqual([]);
  expect(counted.writes, 'the second run makes no connector write').toEqual([]);
  expect(second.counts.applied ?? {}).toEqual({});
  expect(await idmState(db)).toEqual(before);
}

/** The User cells of one connector: a fresh system per cell on the peer, the IDM cleared between cells. */
export function describeUserCells(
  name: string,
  available: boolean,
  open: () => Promise<UserPeer>,
  db: () => TestDatabase,
  policies: () => PolicyRunner | null = () => null,
) {
  describe.runIf(available)(`${name}: User configs`, () => {
    let peer: UserPeer;
    beforeAll(async () => {
      peer = await open();
    });
    afterAll(async () => {
      await peer?.close();
    });
    for (const cell of userCells) {
      it(`${cellName(cell)}: the second run writes nothing`, async () => {
        await clearIdm(db());
        const tag = `c${userCells.indexOf(cell)}`;
        const system = await peer.users(
          tag,
          people.filter((p) => onSystem.includes(p.id)),
        );
        const row = await insertSystem(db(), {
          name: `${name}-${tag}-${Math.random()}`,
          type: system.type,
          trusted: true,
          uniqueFieldKey: system.uniqueFieldKey,
          connection: system.connection,
          attributes: system.attributes,
        });
        const idm = (p: Person) => ({ ...peer.idmAttributes(tag, p), employeeId: p.id, name: p.name });
        await insertIdm(db(), 'User', idm(e1InIdm));
        await insertIdm(db(), 'User', idm(people[3] as Person));
        const deleted = await insertIdm(db(), 'User', idm(people[4] as Person), 'deleted');
        await insertLink(db(), row.id, 'User', peer.keyOf(tag, people[4] as Person), deleted);
        const left = await insertIdm(db(), 'User', idm(people[5] as Person));
        await insertLink(db(), row.id, 'User', peer.keyOf(tag, people[5] as Person), left);
        const [config] = await db()
          .orm.insert(reconConfigs)
          .values({
            systemId: row.id,
            objectType: 'User',
            ...system.config,
            ...(cell.attributeSync ? { attributeSync: cell.attributeSync } : {}),
          })
          .returning();
        await setSituations(db(), config?.id as string, cell.table);
        const counted = countingRunService(db(), () => system.secrets, policies());
        await assertConverges(db(), counted, config?.id as string, cell.response);
      });
    }
  });
}

/** The Group cells: the responses of the User cells, the member list sent to the system where the IDM leads. */
export function groupCells(disablesGroups: boolean): Cell[] {
  const toSystem: AttributeSync = { member: { direction: 'toSystem' } };
  return userCells
    .filter((cell) => disablesGroups || !Object.values(cell.table).includes('DISABLE_IN_RESOURCE'))
    .map((cell) =>
      cell.table.IDM_EXISTS__RESOURCE_EXISTS === 'UPDATE_RESOURCE_FROM_IDM'
        ? { ...cell, attributeSync: toSystem }
        : cell,
    );
}

/**
 * A Group cell's data: G1 on both sides with other members in the IDM, G2 only on the system, G3
 * only on the system and listing an entry no config reads (`svc`), G4 only in the IDM.
 */
const groupPeople: Person[] = people.slice(0, 3).map(({ disabled: _off, ...p }) => p);
const systemGroups: GroupSeed[] = [
  { name: 'G1', members: ['E1', 'E2'] },
  { name: 'G2', members: ['E3'] },
  { name: 'G3', members: ['E1', 'svc'] },
];
const idmGroups: Array<GroupSeed> = [
  { name: 'G1', members: ['E1', 'E3'] },
  { name: 'G4', members: ['E2'] },
];

/** The Group cells of one connector: users linked by a first run, then each cell's Group config run twice. */
export function describeGroupCells(
  name: string,
  available: boolean,
  open: () => Promise<GroupPeer>,
  db: () => TestDatabase,
  /** Whether the system can disable a group (a CSV or SQL status column; not LDAP or SCIM groups). */
  disablesGroups: boolean,
  /** The sandbox, for systems that tell users from groups by a target query policy (CSV, SQL). */
  policies: () => PolicyRunner | null = () => null,
) {
  describe.runIf(available)(`${name}: Group configs`, () => {
    let peer: GroupPeer;
    beforeAll(async () => {
      peer = await open();
    });
    afterAll(async () => {
      await peer?.close();
    });
    const cells = groupCells(disablesGroups);
    for (const cell of cells) {
      it(`${cellName(cell)}: the second run writes nothing`, async () => {
        await clearIdm(db());
        const tag = `g${cells.indexOf(cell)}`;
        const {
          system,
          groupConfig,
          membersLinked = true,
        } = await peer.groups(tag, groupPeople, systemGroups);
        const row = await insertSystem(db(), {
          name: `${name}-${tag}-${Math.random()}`,
          type: system.type,
          trusted: true,
          uniqueFieldKey: system.uniqueFieldKey,
          connection: system.connection,
          attributes: system.attributes,
        });
        const counted = countingRunService(db(), () => system.secrets, policies());
        if (membersLinked) {
          const [users] = await db()
            .orm.insert(reconConfigs)
            .values({ systemId: row.id, objectType: 'User', ...system.config })
            .returning();
          await setSituations(db(), users?.id as string, { IDM_NOT_EXISTS__RESOURCE_EXISTS: 'ADD_TO_IDM' });
          const linked = await runToEnd(counted.service, db(), { configId: users?.id as string });
          expect(linked.counts.applied).toEqual({ ADD_TO_IDM: groupPeople.length });
        }

        const userIds = new Map(
          (
            await db().rows<{ id: string; employee_id: string }>(sql`select id, employee_id from idm_objects`)
          ).map((r) => [r.employee_id, r.id]),
        );
        for (const group of idmGroups) {
          const id = await insertIdm(db(), 'Group', peer.groupAttributes(tag, group));
          for (const member of membersLinked ? group.members : []) {
            await db().rows(sql`
              insert into idm_memberships (member_id, target_id, system_id)
              values (${userIds.get(member) as string}, ${id}, ${row.id})`);
          }
        }
        const [config] = await db()
          .orm.insert(reconConfigs)
          .values({
            systemId: row.id,
            objectType: 'Group',
            ...groupConfig,
            ...(cell.attributeSync ? { attributeSync: cell.attributeSync } : {}),
          })
          .returning();
        await setSituations(db(), config?.id as string, cell.table);
        await assertConverges(db(), counted, config?.id as string, cell.response);
      });
    }
  });
}

/**
 * A sandboxed policy runner with these policies saved, for the file's database (CSV and SQL
 * systems filter only through a target query policy).
 */
export function usePolicies(db: () => TestDatabase, sources: Record<string, string>): () => PolicyRunner {
  let runner: PolicyService | undefined;
  beforeAll(async () => {
    for (const [path, source] of Object.entries(sources)) {
      expect((await savePolicy(db(), path, source)).diagnostics).toEqual([]);
    }
    runner = createPolicyRunner(db(), { memoryMb: 128, timeoutMs: 10_000, runCpuMs: 60_000 });
  });
  afterAll(async () => {
    await runner?.close();
  });
  return () => {
    if (!runner) throw new Error('the policy runner is not started yet');
    return runner;
  };
}
