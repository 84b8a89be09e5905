import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forgetActiveDc, type SambaDc, startSamba, waitForExit } from '../../scripts/fixtures/samba.ts';

/**
 * One Samba AD DC per test run, started lazily: provisioning and starting cost seconds and bind
 * the fixed ports 389/636, so only a run that has AD tests pays for it (and takes the ports).
 * The global setup makes a run folder; the first test file that asks for the DC takes a lock in
 * it (an atomic mkdir) and starts the DC, the others wait for its description; the global
 * teardown stops it by pid.
 */
export type SambaInfo = Omit<SambaDc, 'stop'>;

const infoFile = (runDir: string) => join(runDir, 'dc.json');
const errorFile = (runDir: string) => join(runDir, 'error.txt');
/** The test run's main process: when it is gone, its DC is abandoned (scripts/fixtures/samba.ts). */
const ownerFile = (runDir: string) => join(runDir, 'owner');

export async function createSambaRunDir(): Promise<{ runDir: string; teardown: () => Promise<void> }> {
  const runDir = await mkdtemp(join(tmpdir(), 'trueup-samba-run-'));
  await writeFile(ownerFile(runDir), String(process.pid));
  return {
    runDir,
    teardown: async () => {
      if (existsSync(infoFile(runDir))) {
        const info = JSON.parse(await readFile(infoFile(runDir), 'utf8')) as SambaInfo;
        await waitForExit(info.pid);
        await rm(info.dir, { recursive: true, force: true });
        await forgetActiveDc(info.pid);
      }
      await rm(runDir, { recursive: true, force: true });
    },
  };
}

/** The run's DC, starting it if no test file has yet. */
export async function sambaOfRun(runDir: string): Promise<SambaInfo> {
  try {
    await mkdir(join(runDir, 'lock'));
  } catch {
    return waitForInfo(runDir);
  }
  try {
    const owner = Number(await readFile(ownerFile(runDir), 'utf8'));
    const { stop: _stop, ...info } = await startSamba(owner);
    await writeFile(infoFile(runDir), JSON.stringify(info));
    return info;
  } catch (error) {
    await writeFile(errorFile(runDir), (error as Error).message);
    throw error;
  }
}

async function waitForInfo(runDir: string): Promise<SambaInfo> {
  // Provisioning a new template (first use on a machine) takes about half a minute.
  const deadline = Date.now() + 110_000;
  while (Date.now() < deadline) {
    if (existsSync(infoFile(runDir))) return JSON.parse(await readFile(infoFile(runDir), 'utf8'));
    if (existsSync(errorFile(runDir))) throw new Error(await readFile(errorFile(runDir), 'utf8'));
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the Samba DC of this test run did not start within 110 s');
}
