import type { OpenApiDocument } from './openapi.ts';

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

type Op = {
  summary?: string;
  tags?: string[];
  parameters?: Array<{ name: string; in: string; required?: boolean; schema?: unknown }>;
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses?: Record<string, { description?: string; content?: Record<string, { schema: unknown }> }>;
};

function schemaBlock(title: string, schema: unknown): string {
  return `<details><summary>${escapeHtml(title)}</summary><pre>${escapeHtml(JSON.stringify(schema, null, 2))}</pre></details>`;
}

function renderOperation(method: string, path: string, op: Op): string {
  const params = (op.parameters ?? [])
    .map(
      (p) =>
        `<li><code>${escapeHtml(p.name)}</code> <em>${escapeHtml(p.in)}${p.required ? ', required' : ''}</em></li>`,
    )
    .join('');
  const body = op.requestBody
    ? Object.values(op.requestBody.content)
        .map((c) => schemaBlock('request body', c.schema))
        .join('')
    : '';
  const responses = Object.entries(op.responses ?? {})
    .filter(([status]) => status !== 'default')
    .map(([status, r]) => {
      const content = Object.entries(r.content ?? {});
      return content.length
        ? content.map(([type, c]) => schemaBlock(`${status} ${type}`, c.schema)).join('')
        : `<p>${escapeHtml(status)}: ${escapeHtml(r.description ?? '')}</p>`;
    })
    .join('');
  const id = `${method}-${path}`.replace(/[^A-Za-z0-9]+/g, '-');
  return `<section id="${escapeHtml(id)}"><h3><span class="m ${escapeHtml(method)}">${escapeHtml(method.toUpperCase())}</span> <code>${escapeHtml(path)}</code></h3>
<p>${escapeHtml(op.summary ?? '')}</p>${params ? `<ul>${params}</ul>` : ''}${body}${responses}</section>`;
}

/** A self-contained HTML reference of the OpenAPI document: no scripts, no external assets. */
export function renderDocs(doc: OpenApiDocument): string {
  const byTag = new Map<string, string[]>();
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops as Record<string, Op>)) {
      const tag = op.tags?.[0] ?? 'other';
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag)!.push(renderOperation(method, path, op));
    }
  }
  const sections = [...byTag]
    .map(([tag, ops]) => `<h2 id="tag-${escapeHtml(tag)}">${escapeHtml(tag)}</h2>${ops.join('\n')}`)
    .join('\n');
  const nav = [...byTag.keys()]
    .map((tag) => `<a href="#tag-${escapeHtml(tag)}">${escapeHtml(tag)}</a>`)
    .join(' · ');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(doc.info.title)} API ${escapeHtml(doc.info.version)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
code,pre{font-family:ui-monospace,monospace}pre{background:#f5f5f5;padding:.5rem;overflow:auto;font-size:13px}
section{border-top:1px solid #ddd;padding:.25rem 0}.m{display:inline-block;min-width:4.5rem;font-size:13px;color:#fff;padding:0 .3rem;border-radius:3px;background:#555}
.get{background:#2a7}.post{background:#27a}.patch{background:#a72}.delete{background:#a33}
</style></head><body>
<h1>${escapeHtml(doc.info.title)} API <small>${escapeHtml(doc.info.version)}</small></h1>
<p>${escapeHtml(doc.info.description)} The machine-readable document is <a href="/openapi.json">/openapi.json</a>.</p>
<nav>${nav}</nav>
${sections}
</body></html>
`;
}
