import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnector } from '../../server/connectors/index.ts';
import type { Connector, SearchRequest } from '../../server/core/connector-port.ts';
import type { Account } from '../../server/core/model.ts';
import { type ScimServer, startScimServer } from '../helpers/scim-server.ts';

/**
 * Look-ups read under the config's search filter (an account the run's filter leaves out is absent
 * from a look-up too), and isDisabled reads `active` whatever the policy map asks for.
 */
describe('SCIM look-ups and isDisabled against the SCIMMY test server', () => {
  let server: ScimServer;
  const scim = (connection: Record<string, unknown> = {}, key = 'userName'): Connector =>
    createConnector({
      type: 'scim',
      uniqueFieldKey: key,
      connection: { baseUrl: server.baseUrl, ...connection },
      secrets: { token: server.token },
    });
  const accountsOf = async (connector: Connector, request: SearchRequest = {}) => {
    const accounts: Account[] = [];
    for await (const page of connector.search(request)) accounts.push(...page.accounts);
    return accounts;
  };
  const keysOf = (accounts: Account[] | undefined) => accounts?.map((a) => a.key).sort();

  beforeAll(async () => {
    server = await startScimServer();
    server.seedUsers([
      { userName: 'ann', title: 'Engineer', active: true, displayName: 'Ann' },
      { userName: 'bob', title: 'Engineer', active: false, displayName: 'Bob' },
      { userName: 'cid', title: 'Manager', active: true, displayName: 'Cid' },
      { userName: 'dee', title: 'Manager', displayName: 'Dee' },
    ]);
  });
  afterAll(async () => {
    await server?.close();
  });

  it("a look-up reads under the config's search filter", async () => {
    const connector = scim();
    const searchFilter = 'title eq "Engineer"';
    expect(keysOf(await accountsOf(connector, { searchFilter }))).toEqual(['ann', 'bob']);
    const from = server.requests.length;
    // cid exists, but the run's filter leaves it out: absent from the look-up as from the search.
    expect(keysOf(await connector.lookup?.(['ann', 'cid'], { searchFilter }))).toEqual(['ann']);
    expect(server.requests.slice(from).map((r) => r.query.filter)).toContain(
      'title eq "Engineer" and (userName eq "ann" or userName eq "cid")',
    );
    // SCIMMY compares userName case-sensitively: a key in another case is looked for in a full
    // read, and that read is under the filter too.
    expect(keysOf(await connector.lookup?.(['ANN', 'CID'], { searchFilter }))).toEqual(['ann']);
    expect(keysOf(await connector.lookup?.(['ann', 'cid'], {}))).toEqual(['ann', 'cid']);
    await expect(
      connector.lookup?.(['ann'], { query: { type: 'sql', text: 'x', params: [] } }),
    ).rejects.toThrow(/^query: a SCIM system filters with the config's targetSearchFilter/);
  });

  it('isDisabled: `active` read whatever the policy map asks, and not added to the account', async () => {
    const connector = scim();
    const lean = await accountsOf(connector, { attributes: ['displayName'] });
    expect(lean.find((a) => a.key === 'bob')?.attributes).toEqual({ userName: 'bob', displayName: 'Bob' });
    const state = (accounts: Account[], by = connector) =>
      Object.fromEntries(accounts.map((a) => [a.key, by.isDisabled?.(a)]));
    // Read active, without `active` in the account: it does not say; dee has no `active` at all.
    expect(state(lean)).toEqual({ ann: undefined, bob: true, cid: undefined, dee: undefined });
    const full = await accountsOf(connector, { attributes: ['displayName', 'active'] });
    expect(state(full)).toEqual({ ann: false, bob: true, cid: false, dee: undefined });
    // A fresh connector learns it from a look-up; a disable written reads back as disabled.
    const fresh = scim();
    expect(await fresh.write([{ op: 'disable', key: 'cid' }])).toEqual([{ ok: true }]);
    const looked = (await fresh.lookup?.(['bob', 'cid', 'ann'], { attributes: ['displayName'] })) ?? [];
    expect(state(looked, fresh)).toEqual({ ann: undefined, bob: true, cid: true });
    expect(scim({ resourceType: 'Group' }, 'displayName').isDisabled).toBeUndefined();
  });
});
