/** The one JSON shape of every 4xx and 5xx response. */
export class ErrorResponseDto {
  /** HTTP status code, repeated in the body for clients that only keep the body. */
  statusCode: number;
  /** The status text, e.g. `Bad Request`. */
  error: string;
  /** A human-readable explanation; for validation errors, the first field problem. */
  message: string;
  /** Validation problems by field name (dotted for nested fields), present on 400s caused by input. */
  fields?: Record<string, string[]>;
  /** The request id (also in the `X-Request-Id` response header and the logs). */
  requestId: string;
}
