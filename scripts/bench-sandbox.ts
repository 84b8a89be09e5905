/**
 * `npm run bench:sandbox`: 100k HR records through a realistic matching rule (accountKeys) and
 * population policy, batched through the sandbox workers (process boundary, isolate, host-side zod
 * validation included) versus the same compiled functions called in this process. The population
 * runs twice: every record carrying `system` and `vars`, and those two sent once per batch as
 * shared fields. Prints figures; it is not a timed test. BENCH_RECORDS, BENCH_RUNS (best of,
 * default 3) and BENCH_WORKERS (default: as a server runs, `defaultWorkers`) tune it.
 *
 * Per batch size it prints the wall time per record, its ratio to in-process, and where the time
 * went: host encode (JSON.stringify of the batch), isolate (V8 CPU time inside the policies'
 * isolates, summed over the workers: parse, policy, output check, stringify), host decode
 * (JSON.parse and the shape check), and the rest: wall time minus those three, which is IPC and
 * the workers' own work less whatever ran in parallel (negative when more overlapped than that).
 *
 * Per policy it also prints what a policy's isolation costs: every batch evaluates the policy's
 * module afresh and removes what it added to globalThis (worker/prelude.js), so no state carries
 * from one batch to the next. Measured as the isolate CPU time of an empty batch (which holds
 * nothing else but the batch's fixed cost), per batch and per record at each batch size.
 */
import os from 'node:os';
import path from 'node:path';
import type { PolicyKind } from '../server/core/policy-port.ts';
import { compilePolicyFile } from '../server/sandbox/compile/compile.ts';
import { type BatchTimings, createExecutor, type RunnableBuild } from '../server/sandbox/execute.ts';
import { createSandbox, defaultWorkers } from '../server/sandbox/supervisor.ts';
import { evaluatePolicyInProcess } from './in-process-policies.ts';

const records = Number(process.env.BENCH_RECORDS ?? 100_000);
const runsPerSize = Number(process.env.BENCH_RUNS ?? 3);
const batchSizes = [100, 1000, 5000];
const root = path.resolve(import.meta.dirname, '..');

const departments = ['Finance', 'Engineering', 'Sales', 'Support', 'Legal'];
function hrAccount(i: number) {
  return {
    key: String(100000 + i),
    attributes: {
      employeeNumber: String(i).padStart(6, '0'),
      givenName: i % 7 === 0 ? `  mary  ANNE ` : `given${i}`,
      sn: `FAMILY${i}`,
      mail: i % 13 === 0 ? '' : ` Person.${i}@Example.COM `,
      department: departments[i % departments.length]!,
      employmentStatus: i % 50 === 0 ? 'terminated' : 'active',
      title: 'Analyst',
      costCenter: `CC-${i % 300}`,
    },
  };
}
const system = {
  id: 'hr',
  name: 'HR',
  type: 'csv',
  trusted: true,
  uniqueFieldKey: 'employeeNumber',
} as const;
const accounts = Array.from({ length: records }, (_, i) => hrAccount(i));
const populationRecords = accounts.map((account) => ({
  situation: 'IDM_NOT_EXISTS__RESOURCE_EXISTS',
  account,
  idmObject: null,
}));
const populationShared = { system, vars: {} };
const populationInputs = populationRecords.map((record) => ({ ...record, ...populationShared }));

async function build(file: string): Promise<RunnableBuild> {
  const compiled = await compilePolicyFile(path.join(root, file), root);
  if (!compiled.code || !compiled.sourceMap || !compiled.kind) {
    throw new Error(`${file} does not compile: ${JSON.stringify(compiled.diagnostics)}`);
  }
  return {
    path: compiled.path,
    hash: compiled.hash,
    kind: compiled.kind as PolicyKind,
    code: compiled.code,
    sourceMap: compiled.sourceMap,
  };
}

function time(fn: () => void): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

async function timeAsync(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const perRecord = (ms: number) => ((ms * 1000) / records).toFixed(2);
const widths = [7, 11, 14, 13, 9, 13, 7];
const row = (cells: string[]) =>
  cells
    .map((cell, i) => cell.padStart(widths[i]!))
    .join(' ')
    .replace(/^(.{35})/, '$1 |');

/** The median isolate CPU time (ms) of an empty batch: a fresh module, globals cleared, fixed costs. */
async function isolationCost(bundle: RunnableBuild, fn: string): Promise<number> {
  const request = { hash: bundle.hash, code: bundle.code, fn, inputs: '[]', now: Date.now(), seed: 0 };
  const samples: number[] = [];
  for (let i = 0; i < 300; i++) {
    const reply = await sandbox.call(request);
    if (!reply.ok) throw new Error(`an empty batch failed: ${reply.failure.message}`);
    samples.push(reply.cpuNs / 1e6);
  }
  samples.sort((a, b) => a - b);
  return samples[samples.length >> 1]!;
}

const workers = Number(process.env.BENCH_WORKERS ?? defaultWorkers);
const sandbox = createSandbox({ memoryMb: 256, timeoutMs: 30_000, workers });
const executor = createExecutor(sandbox);
try {
  const matching = await build('policies/examples/matching-employee-number.ts');
  const population = await build('policies/examples/population-hr.ts');
  const cases = [
    {
      name: 'matching rule (accountKeys)',
      build: matching,
      fn: 'accountKeys',
      inputs: accounts as unknown[],
    },
    { name: 'population', build: population, fn: 'default', inputs: populationInputs as unknown[] },
    {
      name: 'population, system and vars as shared fields',
      build: population,
      fn: 'default',
      inputs: populationRecords as unknown[],
      shared: populationShared,
    },
  ];
  console.log(
    `sandbox benchmark: ${records} records, node ${process.version}, isolated-vm in ${workers} worker process(es), ` +
      `${os.cpus().length} CPUs, load average ${os.loadavg()[0]!.toFixed(1)}; best of ${runsPerSize} runs\n`,
  );
  for (const bench of cases) {
    const local = evaluatePolicyInProcess(bench.build)[bench.fn]!;
    const { shared } = bench;
    // In process the policy gets what the sandbox would give it: each input with the shared fields.
    const localInputs = shared
      ? bench.inputs.map((input) => ({ ...(input as object), ...shared }))
      : bench.inputs;
    for (let i = 0; i < 3; i++) for (const input of localInputs) local(input);
    const localMs = Math.min(
      ...Array.from({ length: runsPerSize }, () =>
        time(() => {
          for (const input of localInputs) local(input);
        }),
      ),
    );
    console.log(`${bench.name}: in-process ${perRecord(localMs)} µs/record; the split is µs/record too`);
    console.log(row(['batch', 'µs/record', '× in-process', 'host encode', 'isolate', 'host decode', 'rest']));
    let failures = 0;
    for (const batchSize of batchSizes) {
      await executor.execute(bench.build, bench.fn, bench.inputs.slice(0, 20_000), { batchSize, shared });
      let best: { ms: number; timings: BatchTimings } | undefined;
      for (let i = 0; i < runsPerSize; i++) {
        const timings: BatchTimings = { encodeMs: 0, isolateMs: 0, decodeMs: 0 };
        const ms = await timeAsync(async () => {
          const results = await executor.execute(bench.build, bench.fn, bench.inputs, {
            batchSize,
            timings,
            shared,
          });
          failures += results.filter((r) => !r.ok).length;
        });
        if (!best || ms < best.ms) best = { ms, timings };
      }
      const { ms, timings } = best!;
      const rest = ms - timings.encodeMs - timings.isolateMs - timings.decodeMs;
      const split = [timings.encodeMs, timings.isolateMs, timings.decodeMs, rest].map(perRecord);
      console.log(row([String(batchSize), perRecord(ms), `${(ms / localMs).toFixed(1)}×`, ...split]));
    }
    if (failures > 0) console.log(`  (${failures} records failed: the figures are not valid)`);
    const perBatch = await isolationCost(bench.build, bench.fn);
    const shares = batchSizes.map((size) => `${((perBatch * 1000) / size).toFixed(3)} at ${size}`);
    console.log(
      `  isolation (fresh module + globals cleared, per batch): ${(perBatch * 1000).toFixed(1)} µs per batch; µs/record ${shares.join(', ')}\n`,
    );
  }
} finally {
  await sandbox.close();
}
