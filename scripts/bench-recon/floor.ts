/**
 * The floor of `npm run bench:recon` (issue 16, item 6): what a run of a source cannot beat.
 * Reading every account through the connector (`timeFullRead`), plus COPYing the same rows (key,
 * attributes as JSON) into an unlogged PostgreSQL table. The COPY is timed on its own, from rows
 * read beforehand, so the two parts add up: the floor is read + encode + COPY.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import postgres from 'postgres';
import type { Account } from '../../server/core/model.ts';
import type { ManagedSystemRow } from '../../server/db/schema/index.ts';
import { openConnector, timeFullRead } from './source-side.ts';

export type FloorFigures = {
  accounts: number;
  /** Reading every account through the connector and nothing else. */
  readSeconds: number;
  /** Encoding the rows for COPY (text format) and COPYing them into an unlogged table. */
  copySeconds: number;
  /** readSeconds + copySeconds. */
  seconds: number;
};

/** COPY's text format: backslash, tab, newline and carriage return are escaped in a column. */
const copyText = (value: string) => value.replace(/[\\\t\n\r]/g, (c) => copyEscapes[c] as string);
const copyEscapes: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
const copyRows = (accounts: Account[]) =>
  accounts.map((a) => `${copyText(a.key)}\t${copyText(JSON.stringify(a.attributes))}\n`).join('');

/** Reads the source once more (untimed) and encodes each page for COPY (timed): the chunks and the encoding time. */
async function encodedPages(system: ManagedSystemRow, attributes: string[]) {
  const connector = openConnector(system);
  const chunks: string[] = [];
  let seconds = 0;
  try {
    for await (const page of connector.search({ attributes })) {
      const started = performance.now();
      chunks.push(copyRows(page.accounts));
      seconds += (performance.now() - started) / 1000;
    }
  } finally {
    await connector.close();
  }
  return { chunks, seconds };
}

export async function measureFloor(
  system: ManagedSystemRow,
  attributes: string[],
  databaseUrl: string,
): Promise<FloorFigures> {
  const read = await timeFullRead(system, attributes);
  const encoded = await encodedPages(system, attributes);
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    await sql`create unlogged table bench_floor (key text not null, attributes jsonb not null)`;
    const started = performance.now();
    const copy = await sql`copy bench_floor (key, attributes) from stdin`.writable();
    await pipeline(Readable.from(encoded.chunks), copy);
    const copied = performance.now() - started;
    const [row] = await sql<{ n: number }[]>`select count(*)::int as n from bench_floor`;
    if (row?.n !== read.accounts) throw new Error(`COPY stored ${row?.n} rows of ${read.accounts}`);
    const copySeconds = encoded.seconds + copied / 1000;
    return {
      accounts: read.accounts,
      readSeconds: read.seconds,
      copySeconds,
      seconds: read.seconds + copySeconds,
    };
  } finally {
    await sql`drop table if exists bench_floor`;
    await sql.end();
  }
}
