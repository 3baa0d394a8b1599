import type { Response } from 'express';

/**
 * Answers 200 with a JSON array written page by page, so a whole list (10,000 messages, every
 * user) costs one page of memory, not the list. The first page is read before anything is sent:
 * an error there (404, database down) is answered normally by the exception filter; a failure
 * after the first byte cuts the connection (the filter destroys it), so a client never mistakes
 * a truncated list for a whole one.
 */
export function sendJsonArray<T>(response: Response, pages: AsyncIterable<T[]>, toJson: (item: T) => unknown): Promise<void> {
  return sendJsonArrayText(response, mapPages(pages, (page) => page.map((item) => JSON.stringify(toJson(item))).join(',')));
}

async function* mapPages<T>(pages: AsyncIterable<T>, toText: (page: T) => string): AsyncGenerator<string> {
  for await (const page of pages) yield toText(page);
}

/** {@link sendJsonArray} for pages that are already JSON text: comma-separated items, no brackets, none empty. */
export async function sendJsonArrayText(response: Response, pages: AsyncIterable<string>): Promise<void> {
  const iterator = pages[Symbol.asyncIterator]();
  let page = await iterator.next();
  response.status(200).setHeader('Content-Type', 'application/json; charset=utf-8');
  let separator = '[';
  while (!page.done) {
    if (page.value) {
      // Respect back-pressure: a slow reader holds the next page back rather than the heap growing.
      if (!response.write(separator + page.value)) await drainedOrClosed(response);
      if (response.destroyed) return void (await iterator.return?.());
      separator = ',';
    }
    page = await iterator.next();
  }
  response.end(separator === '[' ? '[]' : ']');
}

/** Resolves when the response can take more, or is gone (a reader that left never drains). */
function drainedOrClosed(response: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.on('drain', done);
    response.on('close', done);
  });
}
