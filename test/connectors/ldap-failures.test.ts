import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnector } from '../../server/connectors/index.ts';
import {
  baseLdif,
  rootDn,
  rootPassword,
  type Slapd,
  slapdAvailable,
  startSlapd,
  suffix,
} from '../helpers/slapd.ts';
import { drain, expectSentence, failureOf } from './read-failures.ts';

/**
 * An LDAP system that fails (issue 15): every failure of a read is one sentence naming the server
 * and saying what to do, asserted against a real slapd: refused, lost mid-read (slapd stopped
 * between pages), credentials, TLS, a timeout (slapd frozen with SIGSTOP).
 */
const people = Array.from({ length: 3000 }, (_, i) =>
  [
    `dn: uid=u${i},ou=people,${suffix}`,
    'objectClass: inetOrgPerson',
    `uid: u${i}`,
    `cn: User ${i}`,
    'sn: User',
  ].join('\n'),
);

describe.runIf(slapdAvailable())('LDAP read failures against a real slapd', () => {
  const seed = `${baseLdif}\n${people.join('\n\n')}\n`;
  let slapd: Slapd;
  const system = (
    server: Slapd | { url: string },
    extra: Record<string, unknown> = {},
    password = rootPassword,
  ) =>
    createConnector({
      type: 'ldap',
      uniqueFieldKey: 'uid',
      connection: { url: server.url, bindDn: rootDn, baseDn: `ou=people,${suffix}`, ...extra },
      secrets: { bindPassword: password },
    });
  const pidOf = (server: Slapd) => Number(readFileSync(join(server.dir, 'slapd.pid'), 'utf8'));
  /** SIGSTOP, then wait until the kernel shows the process stopped (`T` in /proc/<pid>/stat). */
  const freeze = async (pid: number) => {
    process.kill(pid, 'SIGSTOP');
    while (readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'T') {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };

  beforeAll(async () => {
    slapd = await startSlapd(seed);
  });
  afterAll(async () => {
    await slapd?.stop();
  });

  it('a refused connection', async () => {
    const message = await failureOf(drain(system({ url: 'ldap://127.0.0.1:1' }).search({})));
    expect(message).toBe(
      'the LDAP server ldap://127.0.0.1:1 refused the connection while reading page 1: check that it is running and that its address is right, then run again',
    );
    expectSentence(message);
  });

  it('the server stopped between pages: the read fails on the next page, it does not end short', async () => {
    const doomed = await startSlapd(seed);
    try {
      let pages = 0;
      const message = await failureOf(
        drain(system(doomed).search({ pageSize: 500, attributes: ['cn'] }), async (page) => {
          pages = page;
          if (page === 2) await doomed.stop();
        }),
      );
      expect(pages).toBe(2);
      expect(message).toBe(
        `the LDAP server ${doomed.url} closed the connection while reading page 3 (after 1,000 entries): check that it is running and reachable, then run again`,
      );
      expectSentence(message);
    } finally {
      await doomed.stop();
    }
  });

  it('credentials refused', async () => {
    const message = await failureOf(drain(system(slapd, {}, 'wrong-password-456').search({})));
    expect(message).toBe(
      `the LDAP server ${slapd.url} refused the credentials of "${rootDn}" while reading page 1: check the bind DN and password, then run again`,
    );
    expect(message).not.toContain('wrong-password-456');
    expectSentence(message);
  });

  it('TLS: StartTLS the server does not offer, and ldaps:// on a port that speaks plain LDAP', async () => {
    const startTls = await failureOf(drain(system(slapd, { startTls: true }).search({})));
    const check =
      'check that it speaks TLS there (ldaps:// or startTls), tlsOptions.ca and tlsOptions.servername, then run again';
    expect(startTls).toBe(
      `TLS with the LDAP server ${slapd.url} failed (it does not offer StartTLS) while reading page 1: ${check}`,
    );
    expectSentence(startTls);
    const ldaps = `ldaps://127.0.0.1:${slapd.port}`;
    const message = await failureOf(
      drain(system({ url: ldaps }, { connectTimeoutMs: 1000, timeoutMs: 1000 }).search({})),
    );
    expect(message.startsWith(`TLS with the LDAP server ${ldaps} failed (`)).toBe(true);
    expect(message.endsWith(`) while reading page 1: ${check}`)).toBe(true);
    expectSentence(message);
  });

  it('a server that stops answering mid-read (frozen): the request times out', async () => {
    const pid = pidOf(slapd);
    try {
      const message = await failureOf(
        drain(system(slapd, { timeoutMs: 500 }).search({ pageSize: 500 }), async (page) => {
          if (page === 1) await freeze(pid);
        }),
      );
      expect(message).toBe(
        `the LDAP server ${slapd.url} did not answer within 500 ms (timeoutMs) while reading page 2 (after 500 entries): check that it is running and not overloaded, or raise timeoutMs, then run again`,
      );
      expectSentence(message);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
  });

  it('a look-up says what it was doing; test() says the same without a read', async () => {
    const down = system({ url: 'ldap://127.0.0.1:1' });
    expect(await failureOf(down.lookup?.(['u1', 'u2'], {}) ?? Promise.resolve())).toBe(
      'the LDAP server ldap://127.0.0.1:1 refused the connection while looking up 2 accounts by key: check that it is running and that its address is right, then run again',
    );
    const missing = await failureOf(
      system(slapd, { baseDn: `ou=nowhere,${suffix}` }).lookup?.(['u1'], {}) ?? Promise.resolve(),
    );
    expect(missing).toBe(
      `the base DN "ou=nowhere,${suffix}" does not exist on the LDAP server ${slapd.url} while looking up 1 account by key: check the system's baseDn (or the target query's)`,
    );
    const badFilter = await failureOf(drain(system(slapd).search({ searchFilter: 'uid=u1)' })));
    expect(badFilter).toMatch(
      /^the search filter is malformed \(.+\) while reading page 1: fix the target query policy's filter or the config's search filter$/,
    );
  });
});
