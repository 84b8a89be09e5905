import type { PolicyErrorInfo, PolicyLog } from '../../../core/policy-port.ts';
import type { Diagnostic } from '../../../db/schema/policies.ts';
import type { PolicyListItem, ReplayOnLastRun } from '../adapters/policies.ts';
import { CsrfField, Notice, TextArea, TextField } from '../components/fields.ts';
import { LogLines } from '../components/log-lines.ts';
import { OutcomeDiffView } from '../components/outcome-diff.ts';
import { Time } from '../components/time.ts';
import type { PageContext } from '../console-env.ts';
import { html } from '../html.ts';
import { Layout } from '../layout.ts';

const sampleHint =
  'The policy\'s ctx; optional parts may be left out, e.g. {"account": {"key": "E1", "attributes": {"name": "Ada"}}}';

const editHref = (path: string) => `/policies/edit?path=${encodeURIComponent(path)}`;

export function PoliciesPage(props: { page: PageContext; policies: PolicyListItem[] }) {
  const { page } = props;
  return Layout({
    page,
    title: 'Policies',
    children: html`
      <p>Policies are TypeScript files run in the sandbox: queries, matching rules, population, commands, processors.</p>
      ${
        page.can('editPolicies')
          ? html`<form method="get" action="/policies/edit" class="toolbar">
            <${TextField} name="path" label="New policy path" placeholder="hr/population.ts" required=${true} />
            <button type="submit" class="button button-primary">Write a new policy</button>
          </form>`
          : null
      }
      ${
        props.policies.length === 0
          ? html`<p class="panel">No policy saved yet.</p>`
          : html`<div class="table-wrap"><table>
            <thead><tr><th scope="col">Path</th><th scope="col">Kind</th><th scope="col">Build</th><th scope="col">Changed</th></tr></thead>
            <tbody>${props.policies.map(
              (
                p,
              ) => html`<tr><th scope="row"><a href=${editHref(p.path)}>${p.path}</a></th><td>${p.kind ?? 'module'}</td>
                <td><code>${p.hash.slice(0, 12)}</code></td><td><${Time} at=${p.updatedAt} /></td></tr>`,
            )}</tbody></table></div>`
      }`,
  });
}

export type SampleResult =
  | { outcome: 'output'; kind: string; output: unknown; logs: PolicyLog[] }
  | { outcome: 'policy_failed'; error: PolicyErrorInfo; logs: PolicyLog[] }
  /** The editor's text has errors: they show by line, as when saving, and nothing ran. */
  | { outcome: 'compile_failed' }
  | { outcome: 'invalid'; message: string }
  | { outcome: 'not_found' };

function Diagnostics(props: { diagnostics: Diagnostic[]; path: string; ran: boolean }) {
  if (props.diagnostics.length === 0) return null;
  const errors = props.diagnostics.filter((d) => d.severity === 'error').length;
  const failed = props.ran
    ? `Not run: the text in the editor has ${errors} error${errors === 1 ? '' : 's'}.`
    : `Not saved: ${props.path} has ${errors} error${errors === 1 ? '' : 's'}. The previous version stays in use.`;
  return html`<${Notice} tone=${errors > 0 ? 'bad' : 'info'}>
    <p>${errors > 0 ? failed : 'Saved, with warnings.'}</p>
    <ol class="diagnostics">${props.diagnostics.map(
      (d) =>
        html`<li><strong>Line ${d.line}, column ${d.column}</strong> (${d.severity}${d.file && d.file !== props.path ? ` in ${d.file}` : ''}): ${d.message}</li>`,
    )}</ol>
  </${Notice}>`;
}

/** What the sample run gave: the output or the error with its line, and the lines it logged. */
function Sample(props: { result: SampleResult | undefined }) {
  const r = props.result;
  if (!r) return null;
  const logs = (lines: PolicyLog[]) =>
    html`<h3>Log lines</h3><${LogLines} logs=${lines} empty="The policy logged nothing." />`;
  switch (r.outcome) {
    case 'output':
      return html`<${Notice} tone="ok"><p>Output of the ${r.kind} policy (the text in the editor):</p><pre>${JSON.stringify(r.output, null, 2)}</pre></${Notice}>
        ${logs(r.logs)}`;
    case 'policy_failed':
      return html`<${Notice} tone="bad"><p><strong>${r.error.kind} error${r.error.line ? ` at line ${r.error.line}, column ${r.error.column ?? 0}` : ''}</strong>: ${r.error.message}</p>
        ${r.error.stack ? html`<pre>${r.error.stack}</pre>` : null}</${Notice}>
        ${logs(r.logs)}`;
    case 'compile_failed':
      return null;
    case 'invalid':
      return html`<${Notice} tone="bad"><p>${r.message}</p></${Notice}>`;
    case 'not_found':
      return html`<${Notice} tone="bad"><p>Save the policy before running it on a sample.</p></${Notice}>`;
  }
}

/** What replaying the editor's text on the last recorded run gave (nothing was saved or written). */
function Replay(props: { result: ReplayOnLastRun | undefined; path: string }) {
  const r = props.result;
  if (!r) return null;
  switch (r.outcome) {
    case 'replayed':
      return html`<${Notice} tone=${r.diff.counts.changed === 0 ? 'ok' : 'info'}>
          <p>Replayed <a href=${`/runs/${r.runId}`}>the last recorded run</a> with the text in the editor in ${(r.durationMs / 1000).toFixed(1)} s: its plan would end <strong>${r.status.replaceAll('_', ' ')}</strong>. Nothing was saved or written.</p>
        </${Notice}>
        <${OutcomeDiffView} diff=${r.diff} beforeLabel="Recorded run" afterLabel="With this text" />`;
    case 'no_recorded_run':
      return html`<${Notice} tone="info"><p>No recorded run used ${props.path} yet: the last full runs of a config that uses it keep what they read, for replays.</p></${Notice}>`;
    case 'no_snapshot':
      return html`<${Notice} tone="bad"><p>The last run kept no snapshot to replay.</p></${Notice}>`;
    case 'compile_failed':
      return null;
    case 'replay_failed':
      return html`<${Notice} tone="bad"><p>The replay could not plan: ${r.error.message}</p></${Notice}>`;
    case 'run_not_found':
    case 'config_not_found':
      return html`<${Notice} tone="bad"><p>The recorded run or its config is gone.</p></${Notice}>`;
    case 'invalid':
      return html`<${Notice} tone="bad"><p>${r.path}: ${r.message}</p></${Notice}>`;
  }
}

/** The source with its line numbers beside it; lines with errors are marked in the gutter. */
function Editor(props: { source: string; badLines: number[]; readOnly: boolean }) {
  const lines = props.source.split('\n').length;
  const bad = new Set(props.badLines);
  return html`<div class="field">
    <label for="f-source">Source</label>
    <div class="editor" data-bad-lines=${props.badLines.join(',')}>
      <div class="gutter" aria-hidden="true">${Array.from(
        { length: lines },
        (_, i) => html`<span class=${bad.has(i + 1) ? 'bad' : undefined}>${`${i + 1}\n`}</span>`,
      )}</div>
      <textarea id="f-source" name="source" rows=${Math.max(18, Math.min(40, lines + 2))} class="code" spellcheck="false"
        readonly=${props.readOnly} aria-describedby="source-hint">${props.source}</textarea>
    </div>
    <p class="hint" id="source-hint">ES2022 TypeScript with one default export from <code>trueup:policy</code> (defineMatchingRule, definePopulation, …).</p>
  </div>`;
}

export function PolicyEditorPage(props: {
  page: PageContext;
  path: string;
  source: string;
  kind: string | null;
  exists: boolean;
  diagnostics: Diagnostic[];
  saved?: boolean;
  sampleInput: string;
  sample?: SampleResult | undefined;
  replay?: ReplayOnLastRun | undefined;
  problem?: string | undefined;
}) {
  const { page } = props;
  const canEdit = page.can('editPolicies');
  const canRun = page.can('runPolicySample');
  const canReplay = page.can('replayPolicy') && props.exists;
  const badLines = props.diagnostics
    .filter((d) => d.severity === 'error' && (!d.file || d.file === props.path))
    .map((d) => d.line);
  // One form: Save sends the text to /policies, "Run on a sample" sends the same text and the
  // sample to /policies/sample, which runs it without saving it.
  return Layout({
    page,
    title: props.path,
    wide: true,
    children: html`
      <p class="muted">${props.exists ? `Kind: ${props.kind ?? 'module (imported by policies)'}` : 'Not saved yet.'} · <a href="/policies">All policies</a></p>
      ${props.saved ? html`<${Notice} tone="ok">Saved and compiled.</${Notice}>` : null}
      ${props.problem ? html`<${Notice} tone="bad">${props.problem}</${Notice}>` : null}
      <${Diagnostics} diagnostics=${props.diagnostics} path=${props.path} ran=${props.sample?.outcome === 'compile_failed' || props.replay?.outcome === 'compile_failed'} />
      <form method="post" action="/policies" class="stack" data-editor-path=${props.path}>
        <${CsrfField} csrf=${page.csrf} />
        <input type="hidden" name="path" value=${props.path} />
        <${Editor} source=${props.source} badLines=${badLines} readOnly=${!canEdit} />
        ${canEdit ? html`<div class="actions"><button type="submit" class="button button-primary">Save</button></div>` : null}
        ${
          canRun
            ? html`<section aria-labelledby="sample-h">
              <h2 id="sample-h">Run on a sample</h2>
              <p class="hint">Runs the text in the editor as it is now, without saving it.</p>
              <${Sample} result=${props.sample} />
              <${TextArea} name="input" label="Sample input (JSON)" value=${props.sampleInput} rows=${8} code=${true}
                hint=${sampleHint} />
              <div class="actions"><button type="submit" class="button" formaction="/policies/sample">Run on a sample</button></div>
            </section>`
            : null
        }
        ${
          canReplay
            ? html`<section aria-labelledby="replay-h">
              <h2 id="replay-h">Replay on the last run</h2>
              <p class="hint">Runs the config's correlation and decisions again on what the last recorded run read, with the text in the editor in place of the saved version, and shows what would be decided differently. Nothing is saved or written.</p>
              <div class="actions"><button type="submit" class="button" formaction="/policies/replay">Replay on the last run</button></div>
              <${Replay} result=${props.replay} path=${props.path} />
            </section>`
            : null
        }
      </form>`,
  });
}
