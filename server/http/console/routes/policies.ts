import type { Hono } from 'hono';
import type { Diagnostic } from '../../../db/schema/policies.ts';
import type { Services } from '../../../services/index.ts';
import { unhandled } from '../../../services/outcomes.ts';
import type { ConsoleAdapters } from '../adapters/index.ts';
import { type ConsoleEnv, pageContext, requireSession } from '../console-env.ts';
import { acceptForm } from '../form.ts';
import { render } from '../html.ts';
import { PoliciesPage, PolicyEditorPage, type SampleResult } from '../pages/policies.ts';

/** What a new policy starts from: the smallest valid population policy. */
const starter = `import { definePopulation } from 'trueup:policy';

export default definePopulation(({ account }) => ({
  name: typeof account.attributes.name === 'string' ? account.attributes.name : account.key,
}));
`;

/** The source as typed: browsers send CRLF line ends from a textarea. */
const sourceOf = (raw: string | undefined) => (raw ?? '').replace(/\r\n/g, '\n');

export function registerPolicies(web: Hono<ConsoleEnv>, services: Services, adapters: ConsoleAdapters) {
  const session = requireSession(services);
  const { policies } = adapters;

  web.get('/policies', session, async (c) =>
    render(c, PoliciesPage({ page: pageContext(c), policies: await policies.list() })),
  );

  web.get('/policies/edit', session, async (c) => {
    const path = (c.req.query('path') ?? '').trim();
    const stored = await policies.get(path);
    return render(
      c,
      PolicyEditorPage({
        page: pageContext(c),
        path,
        source: stored?.source ?? starter,
        kind: stored?.kind ?? null,
        exists: Boolean(stored),
        diagnostics: stored?.diagnostics ?? [],
        sampleInput: '{}',
      }),
    );
  });

  web.post('/policies', session, acceptForm('editPolicies'), async (c) => {
    const form = c.get('form');
    const path = form.text('path') ?? '';
    const source = sourceOf(form.raw('source'));
    const saved = await policies.save(path, source);
    const stored = await policies.get(path);
    // The page is shown again as it was (the sample input kept); console.js puts the cursor back.
    const page = {
      page: pageContext(c),
      path,
      source,
      kind: stored?.kind ?? null,
      exists: Boolean(stored),
      sampleInput: form.raw('input') ?? '{}',
    };
    switch (saved.outcome) {
      case 'saved':
        return render(
          c,
          PolicyEditorPage({
            ...page,
            kind: saved.policy.kind,
            exists: true,
            diagnostics: saved.policy.diagnostics,
            saved: saved.policy.diagnostics.length === 0,
          }),
        );
      case 'compile_failed':
        return render(c, PolicyEditorPage({ ...page, diagnostics: saved.policy.diagnostics }), 422);
      case 'invalid':
        return render(
          c,
          PolicyEditorPage({ ...page, diagnostics: [], problem: `Path: ${saved.message}` }),
          400,
        );
      default:
        return unhandled(saved);
    }
  });

  /** Runs the editor's text (not the saved version) on the sample input; nothing is saved. */
  web.post('/policies/sample', session, acceptForm('runPolicySample'), async (c) => {
    const form = c.get('form');
    const path = form.text('path') ?? '';
    const sampleInput = form.raw('input') ?? '{}';
    const source = form.has('source') ? sourceOf(form.raw('source')) : undefined;
    const stored = await policies.get(path);
    let sample: SampleResult;
    let diagnostics: Diagnostic[] = [];
    let input: unknown;
    try {
      input = JSON.parse(sampleInput.trim() === '' ? '{}' : sampleInput);
      const ran = await policies.runSample(path, input, source);
      switch (ran.outcome) {
        case 'ran':
          sample = { outcome: 'output', kind: ran.kind, output: ran.output, logs: ran.logs };
          break;
        case 'policy_failed':
          sample = ran;
          break;
        case 'compile_failed':
          sample = { outcome: 'compile_failed' };
          diagnostics = ran.policy.diagnostics;
          break;
        case 'not_found':
          sample = { outcome: 'not_found' };
          break;
        case 'invalid':
          sample = { outcome: 'invalid', message: ran.message };
          break;
        default:
          unhandled(ran);
      }
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
      sample = { outcome: 'invalid', message: `The sample input is not valid JSON: ${error.message}` };
    }
    return render(
      c,
      PolicyEditorPage({
        page: pageContext(c),
        path,
        source: source ?? stored?.source ?? '',
        kind: stored?.kind ?? null,
        exists: Boolean(stored),
        diagnostics,
        sampleInput,
        sample,
      }),
      sample.outcome === 'output' ? 200 : 422,
    );
  });

  /** Replays the editor's text on the last recorded run that used the policy; nothing is saved. */
  web.post('/policies/replay', session, acceptForm('replayPolicy'), async (c) => {
    const form = c.get('form');
    const path = form.text('path') ?? '';
    const source = sourceOf(form.raw('source'));
    const stored = await policies.get(path);
    const replay = await policies.replayOnLastRun(path, source, c.get('person').name);
    return render(
      c,
      PolicyEditorPage({
        page: pageContext(c),
        path,
        source,
        kind: stored?.kind ?? null,
        exists: Boolean(stored),
        diagnostics: replay.outcome === 'compile_failed' ? replay.diagnostics : [],
        sampleInput: form.raw('input') ?? '{}',
        replay,
      }),
      replay.outcome === 'replayed' ? 200 : 422,
    );
  });
}
