import { inject } from 'vitest';
import { sambaInstalled } from '../../scripts/fixtures/samba.ts';
import { type SambaInfo, sambaOfRun } from './samba-run.ts';

export {
  adminDn,
  adminPassword,
  bulkCount,
  bulkOu,
  dcHostName,
  domainDn,
} from '../../scripts/fixtures/samba.ts';
export type { SambaInfo };

/**
 * Whether Samba's binaries are here. Outside CI a missing Samba is a loud banner and the AD tests
 * are skipped; under CI=true it fails the run (.ci/run installs the Debian packages).
 */
export function sambaAvailable(): boolean {
  if (sambaInstalled()) return true;
  const message = 'Samba (samba, samba-tool, ldbadd) is not installed';
  if (process.env.CI === 'true') throw new Error(`${message}. Under CI=true this fails the run.`);
  const bar = '!'.repeat(100);
  process.stderr.write(
    `\n${bar}\n!! ${message}\n!! Active Directory tests are SKIPPED. apt-get install samba samba-ad-dc samba-ad-provision samba-dsdb-modules winbind krb5-user ldb-tools ldap-utils\n${bar}\n\n`,
  );
  return false;
}

/** The test run's Samba AD DC (started by the first test file that asks, stopped at the end of the run). */
export function useSamba(): Promise<SambaInfo> {
  return sambaOfRun(inject('sambaRunDir'));
}
