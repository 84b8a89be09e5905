import type { Context } from 'hono';
import type { Logger } from '../log.ts';

/**
 * Streams text chunks (a CSV, a report) as a file download: pulled one chunk at a time, so a
 * large export never sits in memory, and sent as an attachment browsers will not sniff as HTML.
 */
export function streamDownload(
  c: Context,
  chunks: AsyncGenerator<string>,
  file: { name: string; type: string },
  log: Logger,
): Response {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await chunks.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(next.value));
      } catch (error) {
        log.error({ err: error, file: file.name }, 'a download stream failed');
        controller.error(error);
      }
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
  return c.body(body, 200, {
    'content-type': file.type,
    'content-disposition': `attachment; filename="${file.name.replace(/[^A-Za-z0-9_.-]/g, '_')}"`,
    'x-content-type-options': 'nosniff',
  });
}
