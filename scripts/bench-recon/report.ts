/** What `npm run bench:recon` prints: each run's phases as it ends, then one table with the targets. */
import type { FloorFigures } from './floor.ts';
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
/** A source's floor (reading it through the connector, plus COPY), taken after its runs. */
export type SourceRead = { source: Source; policies: PolicyMode } & FloorFigures;

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

/** Issue 16's targets: the engine's peak RSS, and a no-change full run against the floor. */
const rssTargetMb = 500;
const noChangeFloorTarget = 2;

/** The wall-time target of a scenario, in seconds, or null where the issue sets none. */
function wallTarget(m: Measured, n: number, read: SourceRead | undefined): number | null {
  if (m.scenario === 'full') return (2 * n) / 100_000;
  if (m.scenario === 'no-change full') return (8 * n) / 1_000_000;
  if (m.scenario !== 'incremental, 100 changed') return null;
  if (m.source !== 'csv') return 1;
  return read ? 1.2 * read.readSeconds : null;
}

export function describeFloor(r: SourceRead): string {
  return `floor of the ${r.source} source: ${r.seconds.toFixed(2)} s = reading all ${whole(r.accounts)} accounts through the connector alone ${r.readSeconds.toFixed(2)} s + encoding and COPYing them into an unlogged PostgreSQL table ${r.copySeconds.toFixed(2)} s`;
}

export function summaryTable(measured: Measured[], reads: SourceRead[], n: number): string {
  const rows = measured.map((m) => {
    const f = m.figures;
    const read = reads.find((r) => r.source === m.source && r.policies === m.policies);
    const target = wallTarget(m, n, read);
    const floorRatio = read ? f.seconds / read.seconds : null;
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
      floorRatio === null ? '—' : `${floorRatio.toFixed(1)}×`,
      floorRatio !== null && m.scenario === 'no-change full'
        ? atMost(floorRatio, noChangeFloorTarget, 1)
        : '—',
      perSecond(f.objects, f.seconds),
      phaseNames.map((name) => f.phases.find((p) => p.phase === name)?.seconds.toFixed(2) ?? '—').join('/'),
      mb(f.peaks.engine),
      atMost(f.peaks.engine, rssTargetMb, 0),
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
    '÷ floor',
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
  const readLines = reads.map((r) => `  ${r.policies} setup: ${describeFloor(r)}`);
  return `summary, N = ${whole(n)}
${table(header, rows, 3)}
${readLines.join('\n')}
  Targets (issue 16, 2 cores, PostgreSQL): a full run (plan + apply + history) R100k ≤ 2 s and R1M ≤ 20 s,
  here pro rata (2 s per 100k objects); a no-change full run R1M ≤ 8 s (pro rata, 0.8 s per 100k) and ≤ 2× the
  floor; ÷ floor is each run's wall time over its source's floor (reading through the connector + COPY, above);
  peak RSS of the engine ≤ 500 MB, flat in N (compare --n 100000 with --large); incremental after 100 changes
  ≤ 1 s over SQL or LDAP, and over CSV ≤ 1.2× reading the file through the connector (above); apply ≥ 30,000
  changes/s (runs that apply 1,000 or more); sandboxed ≤ 1.5× in-process.
  worker MB is the largest sandbox worker's peak; in-process runs start none.\n`;
}
