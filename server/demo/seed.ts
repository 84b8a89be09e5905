import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { count } from 'drizzle-orm';
import { parseConnection } from '../connectors/index.ts';
import type { Response, Situation } from '../core/model.ts';
import type { Database } from '../db/client.ts';
import { managedSystems, reconConfigs, reconSituations } from '../db/schema/index.ts';
import { savePolicy } from '../sandbox/index.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Ids a newcomer can type: `npx trueup run demo-hr-users`. */
export const demoIds = {
  hrSystem: 'demo-hr',
  appSystem: 'demo-app',
  hrConfig: 'demo-hr-users',
  appConfig: 'demo-app-accounts',
} as const;

const demoPolicies = ['hr-active-only.ts', 'hr-population.ts', 'app-matching.ts', 'app-outbound.ts'];

type SituationRow = { situation: Situation; response: Response; populationPolicy?: string };

function situationRows(configId: string, rows: SituationRow[]) {
  return rows.map((row) => ({ configId, ...row }));
}

/** A CSV connection as the API stores it (defaults filled in): its form saved untouched changes nothing. */
const csvConnection = (input: Record<string, unknown>) => parseConnection('csv', input).connection;

/**
 * The example workspace loaded into an empty database: an HR export as a trusted system that
 * feeds IDM users, and a non-trusted "app" export with orphans and drift reconciled against them.
 * The CSV files are copied into DATA_DIR so runs rewrite the copies, never the repository's files.
 * Returns false when the database already has managed systems (nothing is touched then).
 */
export async function seedDemoWorkspace(db: Database, dataDir: string): Promise<boolean> {
  const [existing] = await db.orm.select({ n: count() }).from(managedSystems);
  if ((existing?.n ?? 0) > 0) return false;

  const demoDir = path.join(dataDir, 'demo');
  mkdirSync(demoDir, { recursive: true });
  for (const file of ['hr.csv', 'app.csv']) {
    const target = path.join(demoDir, file);
    if (!existsSync(target)) copyFileSync(path.join(here, 'data', file), target);
  }
  for (const file of demoPolicies) {
    const saved = await savePolicy(
      db,
      `demo/${file}`,
      readFileSync(path.join(here, '../../policies/demo', file), 'utf8'),
    );
    const errors = saved.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length) throw new Error(`demo policy demo/${file} does not compile: ${errors[0]!.message}`);
  }

  await db.orm.transaction(async (tx) => {
    await tx.insert(managedSystems).values([
      {
        id: demoIds.hrSystem,
        name: 'HR export (demo)',
        type: 'csv',
        trusted: true,
        uniqueFieldKey: 'employeeNumber',
        connection: csvConnection({ path: path.join(demoDir, 'hr.csv'), watermarkColumn: 'updatedAt' }),
        attributes: [
          'employeeNumber',
          'firstName',
          'lastName',
          'email',
          'department',
          'title',
          'employmentStatus',
        ],
      },
      {
        id: demoIds.appSystem,
        name: 'Expense app (demo)',
        type: 'csv',
        trusted: false,
        uniqueFieldKey: 'login',
        connection: csvConnection({
          path: path.join(demoDir, 'app.csv'),
          disabledColumn: 'enabled',
          disabledValue: 'false',
        }),
        attributes: ['login', 'employeeId', 'displayName', 'email', 'role', 'enabled'],
        outboundMapping: 'demo/app-outbound.ts',
      },
    ]);
    await tx.insert(reconConfigs).values([
      {
        id: demoIds.hrConfig,
        systemId: demoIds.hrSystem,
        name: 'HR → IDM users',
        objectType: 'User',
        targetQueryPolicy: 'demo/hr-active-only.ts',
        sourceAttributeName: 'employeeNumber',
        idmField: 'employeeId',
        deletionThreshold: { percent: 20 },
        attributeSync: {
          firstName: { direction: 'toIdm', confidence: 90 },
          lastName: { direction: 'toIdm', confidence: 90 },
          email: { direction: 'toIdm', confidence: 90 },
          department: { direction: 'toIdm', confidence: 90 },
          title: { direction: 'toIdm', confidence: 90 },
        },
      },
      {
        id: demoIds.appConfig,
        systemId: demoIds.appSystem,
        name: 'Expense app accounts',
        objectType: 'User',
        matchingPolicy: 'demo/app-matching.ts',
        entitlementAttribute: 'role',
        deletionThreshold: { count: 10 },
        attributeSync: {
          displayName: { direction: 'toSystem' },
          email: { direction: 'toSystem' },
        },
      },
    ]);
    await tx.insert(reconSituations).values([
      ...situationRows(demoIds.hrConfig, [
        {
          situation: 'IDM_NOT_EXISTS__RESOURCE_EXISTS',
          response: 'ADD_TO_IDM',
          populationPolicy: 'demo/hr-population.ts',
        },
        {
          situation: 'IDM_EXISTS__RESOURCE_EXISTS',
          response: 'UPDATE_IDM_FROM_RESOURCE',
          populationPolicy: 'demo/hr-population.ts',
        },
        { situation: 'IDM_EXISTS__RESOURCE_NOT_EXISTS', response: 'DISABLE_IN_IDM' },
        { situation: 'IDM_DELETED__RESOURCE_EXISTS', response: 'DO_NOTHING' },
        { situation: 'DISPUTED', response: 'DO_NOTHING' },
      ]),
      ...situationRows(demoIds.appConfig, [
        { situation: 'IDM_NOT_EXISTS__RESOURCE_EXISTS', response: 'DISABLE_IN_RESOURCE' },
        { situation: 'IDM_EXISTS__RESOURCE_EXISTS', response: 'UPDATE_RESOURCE_FROM_IDM' },
        { situation: 'IDM_EXISTS__RESOURCE_NOT_EXISTS', response: 'ADD_TO_RESOURCE' },
        { situation: 'IDM_DELETED__RESOURCE_EXISTS', response: 'DELETE_FROM_RESOURCE' },
        { situation: 'DISPUTED', response: 'DO_NOTHING' },
      ]),
    ]);
  });
  return true;
}
