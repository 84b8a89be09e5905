import {
  baseLdif,
  rootDn,
  rootPassword,
  type Slapd,
  slapdInstalled,
  startSlapd,
  suffix,
} from '../../scripts/fixtures/slapd.ts';

export { baseLdif, rootDn, rootPassword, type Slapd, startSlapd, suffix };

/**
 * Whether the slapd binaries are here. Outside CI a missing slapd is a loud banner and the LDAP
 * tests are skipped; under CI=true it fails the run (.ci/run installs the Debian package).
 */
export function slapdAvailable(): boolean {
  if (slapdInstalled()) return true;
  const message = 'OpenLDAP slapd is not installed (/usr/sbin/slapd, /usr/sbin/slapadd)';
  if (process.env.CI === 'true') throw new Error(`${message}. Under CI=true this fails the run.`);
  const bar = '!'.repeat(100);
  process.stderr.write(
    `\n${bar}\n!! ${message}\n!! LDAP tests are SKIPPED. apt-get install slapd ldap-utils\n${bar}\n\n`,
  );
  return false;
}
