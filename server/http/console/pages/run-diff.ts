import type { RunDiffOutcome } from '../../../services/runs/run-diff.ts';
import { Notice } from '../components/fields.ts';
import { OutcomeDiffView } from '../components/outcome-diff.ts';
import type { PageContext } from '../console-env.ts';
import { html } from '../html.ts';
import { Layout } from '../layout.ts';

/** What changed between two runs of a config (docs/api.md `GET /api/runs/:id/diff?against=`). */
export function RunDiffPage(props: { page: PageContext; runId: string; result: RunDiffOutcome | null }) {
  const { result, runId } = props;
  const body = (() => {
    if (!result)
      return html`<${Notice} tone="info"><p>This is the config's first run: there is no earlier run to compare with.</p></${Notice}>`;
    switch (result.outcome) {
      case 'diffed': {
        const partial = result.basis.run === 'events' || result.basis.against === 'events';
        return html`<p>From <a href=${`/runs/${result.against}`}>the earlier run</a> to <a href=${`/runs/${result.runId}`}>this run</a>: the objects whose situation or response changed, and the new and gone ones.</p>
          ${
            partial
              ? html`<${Notice} tone="info"><p>One of the runs kept no snapshot, so only its stored events are compared: objects it decided to leave alone may show as new or gone.</p></${Notice}>`
              : null
          }
          <${OutcomeDiffView} diff=${result.diff} beforeLabel="Earlier run" afterLabel="This run" />`;
      }
      case 'run_not_found':
        return html`<${Notice} tone="bad"><p>There is no run ${result.runId}.</p></${Notice}>`;
      case 'different_configs':
        return html`<${Notice} tone="bad"><p>The two runs are not runs of one config.</p></${Notice}>`;
    }
  })();
  return Layout({
    page: props.page,
    title: 'What changed between two runs',
    wide: true,
    children: html`<p class="muted"><a href=${`/runs/${runId}`}>Back to the run</a></p>${body}`,
  });
}
