import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { eq, sql } from 'drizzle-orm';
import type { Context } from 'hono';
import { managedSystems } from '../../../db/schema/managed-systems.ts';
import type { AppEnv } from '../../app.ts';
import { ApiError } from '../../errors.ts';
import { defineRoute, pathParam } from '../../route.ts';
import {
  findSystem,
  mergeConnection,
  type SystemResponse,
  splitConnection,
  systemSchema,
  toSystemResponse,
} from './system-view.ts';

export type UploadSystemFileResponse = SystemResponse;

/** The uploaded file's bytes: the `file` part of a multipart form, or the raw body. */
async function uploadedStream(c: Context<AppEnv>): Promise<ReadableStream<Uint8Array>> {
  const type = c.req.header('content-type') ?? '';
  if (type.startsWith('multipart/form-data')) {
    const form = await c.req.parseBody();
    const file = form.file;
    if (!(file instanceof File)) {
      throw new ApiError(
        'VALIDATION_FAILED',
        'file: the multipart form needs a "file" part holding the file',
        [{ path: 'file', message: 'required' }],
      );
    }
    return file.stream();
  }
  const body = c.req.raw.body;
  if (!body) throw new ApiError('VALIDATION_FAILED', 'the request body is empty; send the file');
  return body;
}

/**
 * Stores an uploaded CSV under DATA_DIR/uploads/ and points the system at it. The file is
 * streamed to a temporary name and renamed into place, so a run reading the old file keeps
 * reading it whole.
 */
export const uploadSystemFileRoute = defineRoute({
  method: 'POST',
  path: '/api/systems/:id/file',
  tag: 'systems',
  summary: 'Upload the file of a CSV system (raw body, or multipart with a "file" part)',
  status: 200,
  response: systemSchema,
  handler: (services) => async (c) => {
    const id = pathParam(c, 'id');
    const row = await findSystem(services.db, id);
    if (row.type !== 'csv') {
      throw new ApiError(
        'CONFLICT',
        `system "${row.name}" is a ${row.type} system; only CSV systems take a file`,
      );
    }
    const dir = path.join(services.config.dataDir, 'uploads');
    await mkdir(dir, { recursive: true });
    const target = path.join(dir, `${row.id}.csv`);
    const temporary = `${target}.${randomBytes(6).toString('hex')}.part`;
    const stream = await uploadedStream(c);
    try {
      await pipeline(Readable.fromWeb(stream as WebReadableStream<Uint8Array>), createWriteStream(temporary));
      await rename(temporary, target);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
    const split = splitConnection(
      services.connectors,
      'csv',
      mergeConnection(row, services.secrets, { path: target }),
    );
    const [updated] = await services.db.orm
      .update(managedSystems)
      .set({ connection: split.connection, updatedAt: sql`now()` })
      .where(eq(managedSystems.id, id))
      .returning();
    if (!updated) throw new ApiError('NOT_FOUND', `no managed system with id "${id}"`);
    const response: UploadSystemFileResponse = toSystemResponse(updated, services.secrets);
    return c.json(response);
  },
});
