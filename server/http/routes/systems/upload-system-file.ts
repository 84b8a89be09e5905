import { createRoute } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { Services } from '../../../services/index.ts';
import { unhandled } from '../../../services/outcomes.ts';
import { access, errorResponses, idParams, json } from '../../api-route.ts';
import type { ApiApp, AppEnv } from '../../app-env.ts';
import { ApiError, invalidInput } from '../../errors.ts';
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

// The file is streamed to disk, not parsed: its schemas only document it (no zod, so no check).
const file = { type: 'string', format: 'binary' } as const;

export const uploadSystemFileRoute = createRoute({
  method: 'post',
  path: '/api/systems/{id}/file',
  ...access('admin'),
  tags: ['systems'],
  summary: 'Upload the file of a CSV system (raw body, or multipart with a "file" part)',
  request: {
    params: idParams,
    body: {
      required: true,
      content: {
        'text/csv': { schema: file },
        'application/octet-stream': { schema: file },
        'multipart/form-data': { schema: { type: 'object', properties: { file }, required: ['file'] } },
      },
    },
  },
  responses: { 200: json(systemSchema, 'the system, pointing at the stored file'), ...errorResponses },
});

export function registerUploadSystemFile(app: ApiApp, services: Services) {
  app.openapi(uploadSystemFileRoute, async (c) => {
    const { id } = c.req.valid('param');
    const stored = await services.systems.storeFile(id, () => uploadedStream(c));
    switch (stored.outcome) {
      case 'stored': {
        const response: UploadSystemFileResponse = stored.system;
        return c.json(response, 200);
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
  });
}
