import { Attribute, Change, Client } from 'ldapts';
import { createConnector } from '../server/connectors/index.ts';
import type { SearchRequest } from '../server/core/connector-port.ts';
import { adminDn, adminPassword, bulkCount, bulkOu, startSamba } from './fixtures/samba.ts';

/**
 * The Active Directory part of `npm run bench:connectors`: a fresh Samba DC holding the
 * template's users of OU=Bulk (PEERS.md), a full paged search keyed by objectGUID, 100 users
 * changed over LDAP, and the uSNChanged incremental search from the full search's watermark.
 */
export type Figure = { connector: string; phase: string; objects: number; seconds: number };

const changed = 100;

export async function benchSamba(): Promise<Figure[]> {
  const starting = performance.now();
  const dc = await startSamba();
  process.stdout.write(
    `samba: a DC with ${bulkCount} users copied from its template and started in ${((performance.now() - starting) / 1000).toFixed(1)} s\n`,
  );
  const figures: Figure[] = [];
  const connector = createConnector({
    type: 'ldap',
    uniqueFieldKey: 'objectGUID',
    connection: {
      url: dc.url,
      bindDn: adminDn,
      baseDn: bulkOu,
      watermarkAttribute: 'uSNChanged',
      disable: { mode: 'ad' },
      // AD's MaxPageSize is 1000 by default.
      pageSize: 1000,
    },
    secrets: { bindPassword: adminPassword },
  });
  const time = async (phase: string, request: SearchRequest) => {
    const started = performance.now();
    let objects = 0;
    let watermark: string | null | undefined = null;
    for await (const page of connector.search(request)) {
      objects += page.accounts.length;
      watermark = page.watermark;
    }
    figures.push({
      connector: 'ldap (Samba AD)',
      phase,
      objects,
      seconds: (performance.now() - started) / 1000,
    });
    return watermark ?? null;
  };
  const attributes = ['sAMAccountName', 'mail', 'title', 'accountDisabled'];
  const query = { type: 'ldap' as const, filter: '(objectClass=user)' };
  try {
    const watermark = await time('full', { query, attributes });
    const client = new Client({ url: dc.url });
    await client.bind(adminDn, adminPassword);
    const started = performance.now();
    const names = Array.from(
      { length: changed },
      (_, i) => `CN=bulk${String(i * 7).padStart(5, '0')},${bulkOu}`,
    );
    for (let at = 0; at < names.length; at += 8) {
      await Promise.all(
        names.slice(at, at + 8).map((dn) =>
          client.modify(dn, [
            new Change({
              operation: 'replace',
              modification: new Attribute({ type: 'title', values: ['Manager'] }),
            }),
          ]),
        ),
      );
    }
    await client.unbind();
    figures.push({
      connector: 'ldap (Samba AD)',
      phase: `LDAP modify (${changed}, 8 at a time)`,
      objects: changed,
      seconds: (performance.now() - started) / 1000,
    });
    await time(`incremental (${changed} changed)`, { query, attributes, watermark });
    await benchMembers(dc.url, figures);
  } finally {
    await connector.close();
    await dc.stop();
  }
  return figures;
}

/** A group holding every bulk user, read with `member` as member keys: one DN lookup per member. */
async function benchMembers(url: string, figures: Figure[]) {
  const client = new Client({ url });
  await client.bind(adminDn, adminPassword);
  const members = Array.from(
    { length: bulkCount },
    (_, i) => `CN=bulk${String(i).padStart(5, '0')},${bulkOu}`,
  );
  await client.add(`CN=everyone,${bulkOu}`, {
    objectClass: ['top', 'group'],
    sAMAccountName: 'everyone',
    member: members,
  });
  await client.unbind();
  const groups = createConnector({
    type: 'ldap',
    uniqueFieldKey: 'objectGUID',
    connection: { url, bindDn: adminDn, baseDn: bulkOu, referenceAttributes: ['member'] },
    secrets: { bindPassword: adminPassword },
  });
  const started = performance.now();
  let keys = 0;
  for await (const page of groups.search({
    query: { type: 'ldap', filter: '(objectClass=group)' },
    attributes: ['member'],
  })) {
    for (const account of page.accounts) keys += (account.attributes.member as string[]).length;
  }
  figures.push({
    connector: 'ldap (Samba AD)',
    phase: `group of ${bulkCount}: member as keys`,
    objects: keys,
    seconds: (performance.now() - started) / 1000,
  });
  await groups.close();
}
