/** What `npm run bench:recon` prints: each run's phases as it ends, then one table with the targets. */
import { type PhaseFigures, phaseNames, type RunFigures } from './measure-run.ts';
import type { Source } from './seed.ts';

export const scenarios = [
  'full',
  'no-change full',
  'incremental, 100 changed',
  'incremental, 1% changed',
] as const;
export type Scenario = (typeof scenarios)[number];
export const policyModes = ['sandboxed', 'in-process'] as const;
export type PolicyMode = (typeof policyModes)[number];

export type Measured = { source: Source; policies: PolicyMode; scenario: Scenario; figures: RunFigures };
/** Reading every account through the connector and nothing else, before the incremental runs. */
export type SourceRead = { source: Source; policies: PolicyMode; accounts: number; seconds: number };

const whole = (n: number) => Math.round(n).toLocaleString('en-US');
const mb = (n: number) => (n > 0 ? n.toFixed(0) : '—');
/** Phases are sampled every 10 ms: a rate over less than 50 ms would be noise. */
const rateFloor = 0.05;
const perSecond = (count: number, seconds: number) => (seconds >= rateFloor ? whole(count / seconds) : '—');
const applyRate = (f: RunFigures) => {
  const applying = f.phases.find((p) => p.phase === 'applying');
  return applying && applying.seconds >= rateFloor && f.applied > 0 ? f.applied / applying.seconds : null;
};

function table(header: string[], rows: string[][], leftColumns: number) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i < leftColumns ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].map((l) => `  ${l}`).join('\n');
}

export function describeRun(m: Measured): string {
  const f = m.figures;
  const phaseRow = (p: PhaseFigures) => [
    p.phase,
    p.seconds.toFixed(2),
    perSecond(f.objects, p.seconds),
    p.phase === 'applying' && f.applied > 0 ? perSecond(f.applied, p.seconds) : '—',
    mb(p.peaks.engine),
    mb(p.peaks.worker),
  ];
  const rate = applyRate(f);
  const rows = [
    ...f.phases.map(phaseRow),
    [
      'whole run',
      f.seconds.toFixed(2),
      perSecond(f.objects, f.seconds),
      rate ? whole(rate) : '—',
      mb(f.peaks.engine),
      mb(f.peaks.worker),
    ],
  ];
  return `${m.source}, ${m.policies} policies, ${m.scenario} run: ${f.status}, ${whole(f.objects)} objects, ${whole(f.applied)} changes applied, ${whole(f.events)} events, engine RSS ${mb(f.engineAtStart)} MB at the start
${table(['phase', 'wall s', 'objects/s', 'changes/s', 'engine MB', 'worker MB'], rows, 1)}\n`;
}

const mark = (met: boolean) => (met ? '✓' : '✗');
const atMost = (value: number, limit: number, digits = 2) =>
  `≤ ${limit.toFixed(digits)} ${mark(value <= limit)}`;

/** The wall-time target of a scenario, in seconds, or null where the issue sets none. */
function wallTarget(m: Measured, n: number, reads: SourceRead[]): number | null {
  if (m.scenario === 'full' || m.scenario === 'no-change full') return (2 * n) / 100_000;
  if (m.scenario !== 'incremental, 100 changed') return null;
  if (m.source !== 'csv') return 1;
  const read = reads.find((r) => r.source === m.source && r.policies === m.policies);
  return read ? 1.2 * read.seconds : null;
}

export function summaryTable(measured: Measured[], reads: SourceRead[], n: number): string {
  const rows = measured.map((m) => {
    const f = m.figures;
    const target = wallTarget(m, n, reads);
    const rate = applyRate(f);
    const local = measured.find(
      (o) => o.source === m.source && o.scenario === m.scenario && o.policies === 'in-process',
    );
    const ratio = m.policies === 'sandboxed' && local ? f.seconds / local.figures.seconds : null;
    return [
      m.source,
      m.scenario,
      m.policies,
      whole(f.objects),
      f.seconds.toFixed(2),
      target === null ? '—' : atMost(f.seconds, target),
      perSecond(f.objects, f.seconds),
      phaseNames.map((name) => f.phases.find((p) => p.phase === name)?.seconds.toFixed(2) ?? '—').join('/'),
      mb(f.peaks.engine),
      atMost(f.peaks.engine, 1024, 0),
      mb(f.peaks.worker),
      rate ? whole(rate) : '—',
      rate && f.applied >= 1000 ? `≥ 30,000 ${mark(rate >= 30_000)}` : '—',
      ratio === null ? '—' : `${ratio.toFixed(2)}×`,
      ratio === null ? '—' : atMost(ratio, 1.5),
    ];
  });
  const header = [
    'source',
    'scenario',
    'policies',
    'objects',
    'wall s',
    'target',
    'objects/s',
    's reading/planning/gating/applying/finishing',
    'engine MB',
    'target',
    'worker MB',
    'apply/s',
    'target',
    '÷ in-process',
    'target',
  ];
  const readLines = reads.map(
    (r) =>
      `  ${r.source} (${r.policies} setup): reading all ${whole(r.accounts)} accounts through the connector alone took ${r.seconds.toFixed(2)} s`,
  );
  return `summary, N = ${whole(n)}
${table(header, rows, 3)}
${readLines.join('\n')}
  Targets (issue 9, 2 cores, PostgreSQL): a full run (plan + apply + history) R100k ≤ 2 s and R1M ≤ 20 s, here
  pro rata (2 s per 100k objects), no-change full runs included; peak RSS of the engine ≤ 1 GB; incremental
  after 100 changes ≤ 1 s over SQL or LDAP, and over CSV ≤ 1.2× reading the file through the connector
  (above); apply ≥ 30,000 changes/s (runs that apply 1,000 or more); sandboxed ≤ 1.5× in-process.
  worker MB is the largest sandbox worker's peak; in-process runs start none.\n`;
}
