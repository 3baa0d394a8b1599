import type { HelmetOptions } from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The app's helmet configuration (the tests compare the answers with helmet's own output for it).
 * No upgrade-insecure-requests: TLS is the proxy's job, and on plain HTTP by IP the directive
 * would make browsers fetch /docs assets over HTTPS and fail.
 */
export const HELMET_OPTIONS: Readonly<HelmetOptions> = { contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } };

type Middleware = (request: IncomingMessage, response: ServerResponse, next: (error?: unknown) => void) => void;

/**
 * The headers a middleware sets when its output does not depend on the request (helmet without
 * function-valued directives), taken once at startup so that every answer sets them in one loop
 * instead of walking the middleware's own chain and rebuilding its Content-Security-Policy.
 * Throws when the middleware reads the request, removes a header other than X-Powered-By, or does
 * not finish synchronously: then its output cannot be taken once.
 */
export function staticHeadersOf(middleware: Middleware): ReadonlyArray<readonly [string, string]> {
  const headers = new Map<string, readonly [string, string]>();
  const refuse = (what: string): never => {
    throw new Error(`staticHeadersOf: the middleware ${what}; its headers depend on the request`);
  };
  const request = new Proxy({} as IncomingMessage, { get: (_target, key) => refuse(`reads request.${String(key)}`) });
  const response = {
    setHeader(name: string, value: string | number | readonly string[]) {
      if (typeof value !== 'string') refuse(`sets ${name} to a non-string value`);
      headers.set(name.toLowerCase(), [name, value as string]);
      return response;
    },
    removeHeader(name: string) {
      if (name.toLowerCase() !== 'x-powered-by') refuse(`removes ${name}`);
    },
    getHeader: () => undefined,
    hasHeader: () => false,
  } as unknown as ServerResponse;
  let finished = false;
  middleware(request, response, (error?: unknown) => {
    if (error) throw error instanceof Error ? error : new Error(String(error));
    finished = true;
  });
  if (!finished) refuse('did not call next() synchronously');
  return [...headers.values()];
}
