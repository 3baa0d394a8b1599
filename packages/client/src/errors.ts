/** A request Palaver refused, or could not answer: the HTTP-like status and the server's body. */
export class PalaverError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The JSON body of the answer (REST), or the acknowledgement's error (Socket.IO). */
    readonly body?: unknown,
  ) {
    super(message);
    this.name = 'PalaverError';
  }

  /** Worth trying again later with the same request (and the same `client_id`). */
  get retryable(): boolean {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}

/** The sentence of an error body in either of Palaver's shapes (`detail`, or DRF's field lists). */
export function describeBody(body: unknown, fallback: string): string {
  if (body && typeof body === 'object') {
    const record = body as Record<string, unknown>;
    if (typeof record.detail === 'string') return record.detail;
    if (typeof record.message === 'string') return record.message;
    for (const [field, value] of Object.entries(record)) {
      if (Array.isArray(value) && typeof value[0] === 'string') return `${field}: ${value[0]}`;
    }
  }
  return fallback;
}
