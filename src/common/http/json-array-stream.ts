import type { Response } from 'express';

/**
 * Answers 200 with a JSON array written page by page, so a whole list (10,000 messages, every
 * user) costs one page of memory, not the list. The first page is read before anything is sent:
 * an error there (404, database down) is answered normally by the exception filter; a failure
 * after the first byte cuts the connection (the filter destroys it), so a client never mistakes
 * a truncated list for a whole one.
 */
export async function sendJsonArray<T>(response: Response, pages: AsyncIterable<T[]>, toJson: (item: T) => unknown): Promise<void> {
  const iterator = pages[Symbol.asyncIterator]();
  let page = await iterator.next();
  response.status(200).setHeader('Content-Type', 'application/json; charset=utf-8');
  let first = true;
  let chunk = '[';
  while (!page.done) {
    for (const item of page.value) {
      chunk += (first ? '' : ',') + JSON.stringify(toJson(item));
      first = false;
    }
    // Respect back-pressure: a slow reader holds the next page back rather than the heap growing.
    if (!response.write(chunk)) await new Promise<void>((resolve) => response.once('drain', resolve));
    chunk = '';
    if (response.destroyed) return void (await iterator.return?.());
    page = await iterator.next();
  }
  response.end(`${chunk}]`);
}
