import type { Logger } from '../../../log.ts';

/**
 * An async iterable of text as a streamed response body: each chunk is read from the database
 * only when the client is ready for it, and a client that goes away stops the reading.
 */
export function streamBody(
  chunks: AsyncIterable<string>,
  log: Logger,
  context: object,
): ReadableStream<Uint8Array> {
  const iterator = chunks[Symbol.asyncIterator]();
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await iterator.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(next.value));
      } catch (error) {
        log.error({ err: error, ...context }, 'a streamed download failed');
        controller.error(error);
      }
    },
    async cancel() {
      await iterator.return?.(undefined);
    },
  });
}
