import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { codeForStatus, errorBody } from '../errors/describe-error.js';

/**
 * Requests Node's HTTP parser refuses before the app sees them (oversized headers or URL,
 * malformed request lines, slow clients). Node answers those with a bare status line and no body;
 * this answers them in the API's one error shape instead, then closes the connection, as Node
 * does. Sockets that already got (part of) a response are only closed, as Node does.
 */
const STATUS_BY_CODE: Record<string, number> = {
  HPE_HEADER_OVERFLOW: 431,
  HPE_CHUNK_EXTENSIONS_OVERFLOW: 413,
  ERR_HTTP_REQUEST_TIMEOUT: 408,
};

export function answerClientErrors(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException & { bytesParsed?: number }, socket: Duplex & { _httpMessage?: { headersSent?: boolean } | null }) => {
    const code = error.code ?? '';
    // Nothing can be said on a socket that is gone, or in the middle of another response.
    if (code === 'ECONNRESET' || !socket.writable || socket._httpMessage?.headersSent) {
      socket.destroy();
      return;
    }
    const status = STATUS_BY_CODE[code] ?? 400;
    const message = status === 431 ? 'Request headers or URL too large' : status === 408 ? 'Request not received in time' : 'Malformed HTTP request';
    const body = JSON.stringify(errorBody({ status, message, code: status === 400 ? 'parse_error' : codeForStatus(status) }));
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nX-Request-Id: ${randomUUID()}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
