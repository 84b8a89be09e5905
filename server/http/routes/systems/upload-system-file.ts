import type { Context } from 'hono';
import { unhandled } from '../../../services/outcomes.ts';
import type { AppEnv } from '../../app.ts';
import { ApiError, invalidInput } from '../../errors.ts';
import { defineRoute, pathParam } from '../../route.ts';
import { type SystemResponse, systemSchema } from './system-schema.ts';

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

export const uploadSystemFileRoute = defineRoute({
  method: 'POST',
  path: '/api/systems/:id/file',
  tag: 'systems',
  summary: 'Upload the file of a CSV system (raw body, or multipart with a "file" part)',
  status: 200,
  response: systemSchema,
  handler: (services) => async (c) => {
    const id = pathParam(c, 'id');
    const stored = await services.systems.storeFile(id, () => uploadedStream(c));
    switch (stored.outcome) {
      case 'stored': {
        const response: UploadSystemFileResponse = stored.system;
        return c.json(response);
      }
      case 'not_found':
        throw new ApiError('NOT_FOUND', `no managed system with id "${id}"`);
      case 'not_csv':
        throw new ApiError(
          'CONFLICT',
          `system "${stored.name}" is a ${stored.type} system; only CSV systems take a file`,
        );
      case 'invalid':
        throw invalidInput(stored);
      default:
        return unhandled(stored);
    }
  },
});
