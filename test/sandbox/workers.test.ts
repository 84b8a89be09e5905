import { afterAll, describe, expect, it } from 'vitest';
import { createExecutor } from '../../server/sandbox/execute.ts';
import { createSandbox } from '../../server/sandbox/supervisor.ts';
import { compileInline, outcome, population, runnable } from './inline-policy.ts';

/** Two worker processes: calls spread over both, and one dying leaves the other's calls alone. */
const sandbox = createSandbox({ memoryMb: 32, timeoutMs: 2000, workers: 2 });
const executor = createExecutor(sandbox);
afterAll(() => sandbox.close());

const input = (key: string) => ({
  situation: 'IDM_NOT_EXISTS__RESOURCE_EXISTS',
  account: { key, attributes: {} },
  idmObject: null,
  system: { id: 's', name: 'HR', type: 'csv', trusted: true, uniqueFieldKey: 'key' },
  vars: {},
});

describe('a sandbox with two workers', () => {
  it('runs concurrent calls in two processes and keeps results in input order', async () => {
    const echo = runnable(await compileInline('echo.ts', population('return { key: ctx.account.key };')));
    const inputs = Array.from({ length: 50 }, (_, i) => input(String(i)));
    const [first, second] = await Promise.all([
      executor.execute(echo, 'default', inputs, { batchSize: 5 }),
      outcome(executor, echo, input('alone')),
    ]);
    expect(first.map((result) => (result.ok ? result.value : result))).toEqual(
      inputs.map((given) => ({ key: given.account.key })),
    );
    expect(second).toEqual({ value: { key: 'alone' } });
    expect(sandbox.pids).toHaveLength(2);
    expect(new Set(sandbox.pids).size).toBe(2);
  });

  it('fails only the call that was running in a killed worker; the call queued behind it is resent', async () => {
    // Both workers run (the test above started them); each spins until the 2000 ms call timeout.
    const spin = runnable(await compileInline('spin.ts', population('while (true) {}')));
    const healthy = runnable(
      await compileInline('healthy.ts', population('return { key: ctx.account.key };')),
    );
    const before = sandbox.starts;
    const [killedPid] = sandbox.pids;
    const running = outcome(executor, spin, input('first'));
    const onOtherWorker = outcome(executor, spin, input('second'));
    const queued = outcome(executor, healthy, input('third'));
    await new Promise((resolve) => setTimeout(resolve, 150));
    process.kill(killedPid!, 'SIGKILL');
    expect(await running).toMatchObject({
      whole: true,
      error: { kind: 'crashed', message: /signal SIGKILL.*the next call will work/ },
    });
    expect(await queued).toEqual({ value: { key: 'third' } });
    expect(await onOtherWorker).toMatchObject({ error: { kind: 'timeout' } });
    expect(sandbox.starts).toBe(before + 1);
    expect(sandbox.pids).toHaveLength(2);
    expect(sandbox.pids).not.toContain(killedPid);
  });
});
