import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import { managedSystems } from '../../server/db/schema/index.ts';
import type { ListSystemsResponse } from '../../server/http/routes/systems/list-systems.ts';
import type { SystemResponse } from '../../server/http/routes/systems/system-schema.ts';
import type { TestSystemResponse } from '../../server/http/routes/systems/test-system.ts';
import { createTestApi, type TestApi } from '../helpers/api.ts';
import { describeEachDatabase } from '../helpers/databases.ts';

function csvFile(content: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'trueup-csv-')), 'hr.csv');
  writeFileSync(file, content);
  return file;
}

describeEachDatabase('managed systems: happy paths', (db) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await createTestApi(db());
  });

  const create = async (body: Record<string, unknown>) => {
    const response = await api.request('POST', '/api/systems', { body });
    expect(response.status).toBe(201);
    return (await response.json()) as SystemResponse;
  };

  it('creates, lists, reads, changes and removes a CSV system', async () => {
    const file = csvFile('employeeNumber,name\n1,Ada\n');
    const created = await create({
      name: 'HR export',
      type: 'csv',
      trusted: true,
      uniqueFieldKey: 'employeeNumber',
      connection: { path: file },
      attributes: ['employeeNumber', 'name'],
    });
    expect(created).toMatchObject({
      id: expect.any(String),
      name: 'HR export',
      type: 'csv',
      trusted: true,
      uniqueFieldKey: 'employeeNumber',
      attributes: ['employeeNumber', 'name'],
      outboundMapping: null,
    });
    expect(created.connection).toMatchObject({ path: file, delimiter: ',', header: true });

    const list = (await (
      await api.request('GET', '/api/systems', { role: 'viewer' })
    ).json()) as ListSystemsResponse;
    expect(list.items.map((s) => s.id)).toContain(created.id);

    const read = (await (await api.request('GET', `/api/systems/${created.id}`)).json()) as SystemResponse;
    expect(read).toEqual(created);

    const patched = await api.request('PATCH', `/api/systems/${created.id}`, {
      body: { trusted: false, connection: { delimiter: ';' } },
    });
    expect(patched.status).toBe(200);
    const changed = (await patched.json()) as SystemResponse;
    expect(changed.trusted).toBe(false);
    expect(changed.connection).toMatchObject({ path: file, delimiter: ';' });

    expect((await api.request('DELETE', `/api/systems/${created.id}`)).status).toBe(204);
    expect((await api.request('GET', `/api/systems/${created.id}`)).status).toBe(404);
  });

  it('tests a reachable CSV file as ok, and a missing one as not ok', async () => {
    const good = await create({
      name: 'good file',
      type: 'csv',
      uniqueFieldKey: 'id',
      connection: { path: csvFile('id,name\n1,a\n') },
    });
    const ok = await api.request('POST', `/api/systems/${good.id}/test`);
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as TestSystemResponse).ok).toBe(true);

    const missing = await create({
      name: 'missing file',
      type: 'csv',
      uniqueFieldKey: 'id',
      connection: { path: '/nonexistent/trueup/none.csv' },
    });
    const notOk = await api.request('POST', `/api/systems/${missing.id}/test`);
    expect(notOk.status).toBe(200);
    const body = (await notOk.json()) as TestSystemResponse;
    expect(body.ok).toBe(false);
    expect(body.message).toEqual(expect.any(String));
  });

  it('stores an uploaded file (raw and multipart) and points the system at it', async () => {
    const system = await create({
      name: 'uploaded',
      type: 'csv',
      uniqueFieldKey: 'id',
      connection: { path: '/tmp/not-yet-uploaded.csv' },
    });
    const raw = await api.request('POST', `/api/systems/${system.id}/file`, {
      body: 'id,name\n1,Ada\n',
      headers: { 'content-type': 'text/csv' },
    });
    expect(raw.status).toBe(200);
    const updated = (await raw.json()) as SystemResponse;
    const stored = updated.connection.path as string;
    expect(stored.startsWith(path.join(api.services.config.dataDir, 'uploads'))).toBe(true);
    expect(readFileSync(stored, 'utf8')).toBe('id,name\n1,Ada\n');
    const tested = await api.request('POST', `/api/systems/${system.id}/test`);
    expect(((await tested.json()) as TestSystemResponse).ok).toBe(true);

    const form = new FormData();
    form.set('file', new Blob(['id,name\n2,Grace\n'], { type: 'text/csv' }), 'people.csv');
    const multipart = await api.app.request(`/api/systems/${system.id}/file`, {
      method: 'POST',
      headers: { authorization: `Bearer ${api.tokens.admin}` },
      body: form,
    });
    expect(multipart.status).toBe(200);
    expect(readFileSync(stored, 'utf8')).toBe('id,name\n2,Grace\n');
    expect(existsSync(`${stored}.part`)).toBe(false);
  });

  it('keeps secrets encrypted at rest (the stored connection holds none)', async () => {
    const system = await create({
      name: 'with key',
      type: 'csv',
      uniqueFieldKey: 'id',
      connection: { path: '/tmp/x.csv' },
    });
    const [row] = await db().orm.select().from(managedSystems).where(eq(managedSystems.id, system.id));
    expect(row!.encryptedSecrets).toBeNull();
    expect(row!.connection).toEqual(system.connection);
  });
});
