import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnector } from '../../server/connectors/index.ts';
import type { Connector } from '../../server/core/connector-port.ts';
import { type ScimServer, startScimServer } from '../helpers/scim-server.ts';
import { closedPort, drain, expectSentence, failureOf } from './read-failures.ts';

/**
 * A SCIM system that fails (issue 15): every failure of a read is one sentence naming the server
 * and saying what to do, against the SCIMMY test server: refused, lost mid-read (a dropped
 * connection from page 3 on, the server stopped between pages, 500s from page 3 on), credentials,
 * TLS, a timeout (a page that never answers).
 */
const users = Array.from({ length: 250 }, (_, i) => ({ userName: `user${String(i).padStart(3, '0')}` }));

describe('SCIM read failures against the SCIMMY test server', () => {
  let server: ScimServer;
  const scim = (baseUrl: string, connection: Record<string, unknown> = {}, token?: string): Connector =>
    createConnector({
      type: 'scim',
      uniqueFieldKey: 'userName',
      connection: { baseUrl, pageSize: 100, maxRetries: 0, ...connection },
      secrets: { token: token ?? server.token },
    });

  beforeAll(async () => {
    server = await startScimServer();
    server.seedUsers(users);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('a refused connection', async () => {
    const port = await closedPort();
    const message = await failureOf(drain(scim(`http://127.0.0.1:${port}/scim/v2`).search({})));
    expect(message).toBe(
      `the SCIM server http://127.0.0.1:${port}/scim/v2 refused the connection while reading page 1: check that it is running and that its address is right, then run again`,
    );
    expectSentence(message);
    // fetch will not use some ports at all (the Fetch standard's "bad ports"), and says so without a code.
    const bad = await failureOf(drain(scim('http://127.0.0.1:1/scim/v2').search({})));
    expect(bad).toBe(
      'the SCIM server http://127.0.0.1:1/scim/v2 could not be asked (bad port) while reading page 1: check its address and that it is running, then run again',
    );
  });

  it('the connection dropped from page 3 on: the read fails there, it does not end short', async () => {
    server.failPages({ from: 3, fault: 'drop' });
    try {
      let pages = 0;
      const message = await failureOf(
        drain(scim(server.baseUrl).search({}), (page) => {
          pages = page;
        }),
      );
      expect(pages).toBe(2);
      expect(message).toBe(
        `the SCIM server ${server.baseUrl} closed the connection while reading page 3 (after 200 users): check that it is running and reachable, then run again`,
      );
      expectSentence(message);
    } finally {
      server.failPages(null);
    }
  });

  it('500 from page 3 on, retried, then one sentence with the status and the retries', async () => {
    server.failPages({ from: 3, fault: 500 });
    try {
      const connector = scim(server.baseUrl, { maxRetries: 1, maxRetryDelayMs: 10 });
      const message = await failureOf(drain(connector.search({})));
      expect(message).toBe(
        `the SCIM server ${server.baseUrl} failed on its side (500 to GET /Users, "page fault injected from page 3", after 1 retry) while reading page 3 (after 200 users): check its log, then run again`,
      );
      expectSentence(message);
    } finally {
      server.failPages(null);
    }
    // The same server reads whole again once it answers.
    expect(await drain(scim(server.baseUrl).search({}))).toBe(3);
  });

  it('the server stopped between pages', async () => {
    const doomed = await startScimServer();
    doomed.seedUsers(users);
    const message = await failureOf(
      drain(scim(doomed.baseUrl, {}, doomed.token).search({}), async (page) => {
        if (page === 2) await doomed.close();
      }),
    );
    // The next page goes out on a fresh connection (refused) or on the kept-alive one (closed).
    expect([
      `the SCIM server ${doomed.baseUrl} refused the connection while reading page 3 (after 200 users): check that it is running and that its address is right, then run again`,
      `the SCIM server ${doomed.baseUrl} closed the connection while reading page 3 (after 200 users): check that it is running and reachable, then run again`,
    ]).toContain(message);
    expectSentence(message);
  });

  it('credentials refused: a bearer token, and an OAuth client', async () => {
    const bearer = await failureOf(drain(scim(server.baseUrl, {}, 'wrong-token-value').search({})));
    expect(bearer).toBe(
      `the SCIM server ${server.baseUrl} refused the credentials (401) while reading page 1: check the token, then run again`,
    );
    expect(bearer).not.toContain('wrong-token-value');
    expectSentence(bearer);
    const oauth = await startScimServer({ oauth: { clientId: 'trueup', clientSecret: 'right' } });
    try {
      const client = createConnector({
        type: 'scim',
        uniqueFieldKey: 'userName',
        connection: { baseUrl: oauth.baseUrl, auth: 'oauth', tokenUrl: oauth.tokenUrl, clientId: 'trueup' },
        secrets: { clientSecret: 'wrong' },
      });
      const message = await failureOf(drain(client.search({})));
      expect(message).toBe(
        `the OAuth token endpoint ${oauth.tokenUrl} refused the client credentials (401: invalid_client) while reading page 1: check clientId, clientSecret and scope, then run again`,
      );
      expectSentence(message);
    } finally {
      await oauth.close();
    }
  });

  it('TLS asked of a server that speaks plain HTTP', async () => {
    const https = server.baseUrl.replace('http://', 'https://');
    const message = await failureOf(drain(scim(https).search({})));
    expect(message).toBe(
      `TLS with the SCIM server ${https} failed (it does not speak TLS on that port) while reading page 1: check its certificate (Node trusts the system's CAs and NODE_EXTRA_CA_CERTS) and the URL's scheme, then run again`,
    );
    expectSentence(message);
  });

  it('a page that never answers: the request times out', async () => {
    server.failPages({ from: 2, fault: 'hang' });
    try {
      const message = await failureOf(drain(scim(server.baseUrl, { timeoutMs: 300 }).search({})));
      expect(message).toBe(
        `the SCIM server ${server.baseUrl} did not answer within 300 ms (timeoutMs) while reading page 2 (after 100 users): check that it is running and not overloaded, or raise timeoutMs, then run again`,
      );
      expectSentence(message);
    } finally {
      server.failPages(null);
    }
  });

  it('a look-up says what it was doing; test() says the same without a read', async () => {
    const port = await closedPort();
    const down = scim(`http://127.0.0.1:${port}/scim/v2`);
    expect(await failureOf(down.lookup?.(['a', 'b'], {}) ?? Promise.resolve())).toBe(
      `the SCIM server http://127.0.0.1:${port}/scim/v2 refused the connection while looking up 2 accounts by key: check that it is running and that its address is right, then run again`,
    );
    expect(await down.test()).toEqual({
      ok: false,
      message: `the SCIM server http://127.0.0.1:${port}/scim/v2 refused the connection: check that it is running and that its address is right, then run again`,
    });
  });
});
