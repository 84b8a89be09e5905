import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import type { IdmDetailResponse } from '../../server/http/routes/idm/get-idm-object.ts';
import type { IdmObjectResponse } from '../../server/http/routes/idm/idm-view.ts';
import type { IdmLinkResponse } from '../../server/http/routes/idm/link-idm-object.ts';
import type { ListIdmResponse } from '../../server/http/routes/idm/list-idm-objects.ts';
import type { ReconConfigResponse } from '../../server/http/routes/recon-configs/config-response.ts';
import type { ListSystemAccountsResponse } from '../../server/http/routes/systems/list-system-accounts.ts';
import type { SystemResponse } from '../../server/http/routes/systems/system-schema.ts';
import { createTestApi, type TestApi } from '../helpers/api.ts';
import { describeEachDatabase } from '../helpers/databases.ts';

/**
 * docs/api.md: an admin's acts on IDM objects by hand (enable, disable, link, unlink), each in the
 * object's history with who did it; and a system's accounts as its last full run read them, with
 * their link state now. A real CSV system and real runs put the IDM and the accounts in place.
 */
describeEachDatabase('IDM acts by hand and last-read accounts: happy paths', (db) => {
  let api: TestApi;
  let system: SystemResponse;
  let ada: IdmObjectResponse;
  let file: string;

  const accounts = (query = '') =>
    api.json<ListSystemAccountsResponse>('GET', `/api/systems/${system.id}/accounts${query}`);
  const detail = (id: string) => api.json<IdmDetailResponse>('GET', `/api/idm/users/${id}`);

  beforeAll(async () => {
    api = await createTestApi(db());
    file = path.join(mkdtempSync(path.join(tmpdir(), 'trueup-acts-')), 'hr.csv');
    writeFileSync(file, 'employeeNumber,name,title\nE1,Ada Lovelace,Analyst\nE2,Alan Turing,Cryptographer\n');
    system = await api.json<SystemResponse>('POST', '/api/systems', {
      name: 'HR',
      type: 'csv',
      trusted: true,
      uniqueFieldKey: 'employeeNumber',
      connection: { path: file },
    });
    const config = await api.json<ReconConfigResponse>('POST', `/api/systems/${system.id}/recon-configs`, {
      objectType: 'User',
      sourceAttributeName: 'employeeNumber',
      idmField: 'employeeId',
      situations: { IDM_NOT_EXISTS__RESOURCE_EXISTS: { response: 'ADD_TO_IDM' } },
    });
    expect((await api.runToEnd(config.id)).status).toBe('succeeded');
    // A second full run: the accounts shown are its read, not the first one's as well.
    writeFileSync(
      file,
      'employeeNumber,name,title\nE1,Ada Lovelace,Analyst\nE2,Alan Turing,Cryptographer\nE3,Grace Hopper,Admiral\n',
    );
    const second = await api.runToEnd(config.id);
    expect(second.status).toBe('succeeded');
    const users = await api.json<ListIdmResponse>('GET', '/api/idm/users?q=ada');
    ada = users.items[0]!;
  });

  it('lists the accounts the last full run read, each linked, searchable by key and attribute text', async () => {
    const all = await accounts();
    expect(all.items.map((a) => [a.key, a.state, a.attributes.title])).toEqual([
      ['E1', 'linked', 'Analyst'],
      ['E2', 'linked', 'Cryptographer'],
      ['E3', 'linked', 'Admiral'],
    ]);
    expect(all.items[0]!.link?.idmObjectId).toBe(ada.id);
    expect((await accounts('?q=e2')).items.map((a) => a.key)).toEqual(['E2']);
    expect((await accounts('?q=admir')).items.map((a) => a.key)).toEqual(['E3']);
    const first = await accounts('?limit=2');
    expect(first.items.map((a) => a.key)).toEqual(['E1', 'E2']);
    const rest = await accounts(`?limit=2&cursor=${first.nextCursor}`);
    expect(rest).toEqual({ items: [expect.objectContaining({ key: 'E3' })], nextCursor: null });
  });

  it("shows a user's links with the account as last read", async () => {
    const user = await detail(ada.id);
    expect(user.links).toEqual([
      expect.objectContaining({
        systemId: system.id,
        accountKey: 'E1',
        account: {
          attributes: { employeeNumber: 'E1', name: 'Ada Lovelace', title: 'Analyst' },
          readAt: expect.any(String),
          runId: expect.any(String),
        },
      }),
    ]);
    expect(
      user.history.filter((h) => h.kind === 'event').map((h) => h.kind === 'event' && h.response),
    ).toEqual(['ADD_TO_IDM']);
  });

  it('disables and enables by hand, each act in the history with who did it, newest first', async () => {
    const disabled = await api.json<IdmObjectResponse>('POST', `/api/idm/users/${ada.id}/disable`);
    expect(disabled.status).toBe('disabled');
    const enabled = await api.json<IdmObjectResponse>('POST', `/api/idm/users/${ada.id}/enable`);
    expect(enabled.status).toBe('active');
    const user = await detail(ada.id);
    expect(user.status).toBe('active');
    expect(user.history.slice(0, 2)).toEqual([
      {
        kind: 'act',
        at: expect.any(String),
        act: 'enabled',
        actor: 'test-admin',
        details: { before: 'disabled' },
      },
      {
        kind: 'act',
        at: expect.any(String),
        act: 'disabled',
        actor: 'test-admin',
        details: { before: 'active' },
      },
    ]);
    expect(user.history[2]).toMatchObject({ kind: 'event', response: 'ADD_TO_IDM', outcome: 'applied' });
  });

  it('unlinks and links by hand: the account turns orphan, then linked again', async () => {
    const [link] = (await detail(ada.id)).links;
    const removed = await api.json<IdmLinkResponse>('DELETE', `/api/idm/users/${ada.id}/links/${link!.id}`);
    expect(removed).toMatchObject({ id: link!.id, accountKey: 'E1' });
    expect((await accounts('?state=orphan')).items.map((a) => a.key)).toEqual(['E1']);
    expect((await detail(ada.id)).links).toEqual([]);
    const added = await api.json<IdmLinkResponse>('POST', `/api/idm/users/${ada.id}/links`, {
      systemId: system.id,
      accountKey: 'E1',
    });
    expect(added).toMatchObject({
      systemId: system.id,
      accountKey: 'E1',
      status: 'active',
      objectType: 'User',
    });
    expect((await accounts('?state=linked')).items.map((a) => a.key)).toEqual(['E1', 'E2', 'E3']);
    const history = (await detail(ada.id)).history;
    expect(history.slice(0, 2)).toEqual([
      expect.objectContaining({
        act: 'linked',
        actor: 'test-admin',
        details: expect.objectContaining({ systemName: 'HR', accountKey: 'E1' }),
      }),
      expect.objectContaining({
        act: 'unlinked',
        actor: 'test-admin',
        details: expect.objectContaining({ accountKey: 'E1' }),
      }),
    ]);
  });
});
