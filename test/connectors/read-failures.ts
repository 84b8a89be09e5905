import { createServer } from 'node:net';
import { expect } from 'vitest';

/**
 * A connector error as people read it (issue 15): one sentence, `<what happened>: <what to do>`,
 * with no raw error code (ECONNRESET, ENOENT, UND_ERR_SOCKET, PROTOCOL_CONNECTION_LOST) in it.
 */
export function expectSentence(message: string) {
  expect(message).not.toMatch(/\b(E[A-Z]{4,}|UND_ERR_\w+|PROTOCOL_\w+|ER_\w+|CONNECT_TIMEOUT)\b/);
  expect(message).toMatch(/^[a-zA-Z].*: (check|fix|make|give|use|set|lower|key) .+[a-z]$/);
}

/** The message a promise fails with (and a failure if it does not fail). */
export async function failureOf(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a failure, but it succeeded');
}

/** Reads every page of an async iterable, calling `after` after each (to break the peer mid-read). */
export async function drain<T>(
  pages: AsyncIterable<T>,
  after: (page: number) => Promise<void> | void = () => {},
) {
  let page = 0;
  for await (const _ of pages) await after(++page);
  return page;
}

/** A port nothing listens on: one the system just handed out and took back. */
export async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
