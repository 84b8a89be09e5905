import { expect } from 'vitest';
import type { ReconConfigResponse } from '../../server/http/routes/recon-configs/config-response.ts';
import type { UndoRunResponse } from '../../server/http/routes/runs/undo-run.ts';
import type { SystemResponse } from '../../server/http/routes/systems/system-schema.ts';
import type { TestDatabase } from '../helpers/databases.ts';
import { createReviewApi, eventRows, type ReviewApi } from '../review/review-fixture.ts';

/** The real app for undo tests against a real peer: systems and configs made over the API. */
export type UndoApi = ReviewApi & {
  /** A managed system and its User config with this situation → response table; their ids. */
  system(
    body: Record<string, unknown>,
    config: Record<string, unknown>,
  ): Promise<{ systemId: string; configId: string }>;
  /** Sets responses of a config; the situations not named keep theirs. */
  respond(configId: string, responses: Record<string, string>): Promise<void>;
  /** `POST /api/runs/:id/undo`, which must answer 202 with the plan. */
  undo(runId: string): Promise<UndoRunResponse>;
  /** A console page's HTML, signed in as admin (in-process, with the session cookie). */
  consolePage(path: string): Promise<string>;
  /** Plans the undo and applies it; the apply run must succeed. */
  undoAndApply(runId: string): Promise<{ plan: UndoRunResponse; appliedId: string }>;
};

export async function createUndoApi(db: TestDatabase): Promise<UndoApi> {
  const api = await createReviewApi(db);
  const undo = async (runId: string) => {
    const response = await api.request('POST', `/api/runs/${runId}/undo`);
    expect(response.status, await response.clone().text()).toBe(202);
    return (await response.json()) as UndoRunResponse;
  };
  return {
    ...api,
    async system(body, config) {
      const system = await api.json<SystemResponse>('POST', '/api/systems', body);
      const created = await api.json<ReconConfigResponse>('POST', `/api/systems/${system.id}/recon-configs`, {
        objectType: 'User',
        ...config,
      });
      return { systemId: system.id, configId: created.id };
    },
    async respond(configId, responses) {
      const situations = Object.fromEntries(
        Object.entries(responses).map(([situation, response]) => [situation, { response }]),
      );
      await api.json('PATCH', `/api/recon-configs/${configId}`, { situations });
    },
    undo,
    async consolePage(path) {
      const cookieOf = (response: Response) => response.headers.get('set-cookie')?.split(';')[0] ?? '';
      const first = await api.app.request('/signin');
      const csrf = /name="_csrf" value="([^"]+)"/.exec(await first.text())?.[1] ?? '';
      const signedIn = await api.app.request('/signin', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieOf(first) },
        body: new URLSearchParams({ _csrf: csrf, token: api.tokens.admin, next: path }).toString(),
      });
      expect(signedIn.status).toBe(303);
      const page = await api.app.request(path, { headers: { cookie: cookieOf(signedIn) } });
      expect(page.status).toBe(200);
      return page.text();
    },
    async undoAndApply(runId) {
      const plan = await undo(runId);
      const applied = await api.apply(plan.runId, plan.planHash);
      const failed = (await eventRows(db, applied.id)).filter((e) => e.error);
      expect(applied.status, JSON.stringify(failed)).toBe('succeeded');
      return { plan, appliedId: applied.id };
    },
  };
}
