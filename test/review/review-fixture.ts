import { eq, sql } from 'drizzle-orm';
import { expect } from 'vitest';
import { displayPrefix, generateToken, hashToken } from '../../server/auth/tokens.ts';
import type { RunCounts } from '../../server/core/store-port.ts';
import type { Database } from '../../server/db/client.ts';
import { apiTokens, runs } from '../../server/db/schema/index.ts';
import { createTestApi, type TestApi } from '../helpers/api.ts';
import type { TestDatabase } from '../helpers/databases.ts';

export type ReviewApi = TestApi & {
  /** Like `request`, with an operator token. */
  asOperator(method: string, path: string, body?: unknown): Promise<Response>;
  /** Starts a run over the API, waits for it, returns its summary. */
  run(configId: string, body?: Record<string, unknown>): Promise<RunSummary>;
  /** Applies a plan over the API (as admin unless told), waits for the apply run, returns it. */
  apply(runId: string, planHash: string): Promise<RunSummary>;
  summary(runId: string): Promise<RunSummary>;
};

export type RunSummary = {
  id: string;
  status: string;
  trigger: string;
  mode: string;
  dryRun: boolean;
  planHash: string | null;
  appliedFrom: string | null;
  approvedBy: string | null;
  startedBy: string | null;
  keys: string[] | null;
  counts: RunCounts;
  error?: { code: string; message: string; details?: Record<string, unknown> };
};

/** The real app with admin, operator and viewer tokens (named `test-<role>`). */
export async function createReviewApi(db: TestDatabase): Promise<ReviewApi> {
  const api = await createTestApi(db);
  const operator = generateToken();
  await db.orm.insert(apiTokens).values({
    name: 'test-operator',
    role: 'operator',
    tokenHash: hashToken(operator),
    prefix: displayPrefix(operator),
  });
  const summary = async (runId: string) => {
    const response = await api.request('GET', `/api/runs/${runId}`);
    expect(response.status).toBe(200);
    return (await response.json()) as RunSummary;
  };
  return {
    ...api,
    asOperator: (method, path, body) =>
      api.request(method, path, {
        role: null,
        headers: { authorization: `Bearer ${operator}` },
        ...(body === undefined ? {} : { body }),
      }),
    async run(configId, body = {}) {
      const response = await api.request('POST', `/api/recon-configs/${configId}/runs`, { body });
      expect(response.status, await response.clone().text()).toBe(202);
      const { runId } = (await response.json()) as { runId: string };
      await api.services.runs.wait(runId);
      return summary(runId);
    },
    async apply(runId, planHash) {
      const response = await api.request('POST', `/api/runs/${runId}/apply`, { body: { planHash } });
      expect(response.status, await response.clone().text()).toBe(202);
      const { runId: applyId } = (await response.json()) as { runId: string };
      await api.services.runs.wait(applyId);
      return summary(applyId);
    },
    summary,
  };
}

export async function eventRows(db: Database, runId: string) {
  return db.rows<{
    seq: number;
    object_key: string | null;
    idm_object_id: string | null;
    situation: string | null;
    response: string | null;
    outcome: string;
    error: { code: string; message: string } | null;
    policy_output: Record<string, unknown> | null;
  }>(
    sql`select seq, object_key, idm_object_id, situation, response, outcome, error, policy_output from run_events
      where run_id = ${runId} order by seq`,
  );
}

export async function runRow(db: Database, runId: string) {
  const [row] = await db.orm.select().from(runs).where(eq(runs.id, runId));
  return row;
}
