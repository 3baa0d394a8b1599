import { describe, expect, it } from '@jest/globals';
import helmet from 'helmet';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { HELMET_OPTIONS, staticHeadersOf } from './response-headers.js';

describe('staticHeadersOf', () => {
  it("takes helmet's headers exactly as helmet sets them on a response, in its order", () => {
    const response = new ServerResponse(new IncomingMessage(new Socket()));
    helmet(HELMET_OPTIONS)(response.req, response, () => {});
    const taken = staticHeadersOf(helmet(HELMET_OPTIONS));
    expect(taken.map(([name]) => name.toLowerCase())).toEqual(response.getHeaderNames());
    expect(Object.fromEntries(taken.map(([name, value]) => [name.toLowerCase(), value]))).toEqual(response.getHeaders());
    expect(taken.find(([name]) => name === 'Content-Security-Policy')?.[1]).not.toContain('upgrade-insecure-requests');
  });

  it('refuses a middleware whose headers depend on the request', () => {
    expect(() => staticHeadersOf((request, response, next) => {
      response.setHeader('Vary', String(request.headers.origin));
      next();
    })).toThrow(/reads request.headers/);
    // helmet with a function-valued directive (a nonce per request) reads the request and response
    expect(() => staticHeadersOf(helmet({ contentSecurityPolicy: { directives: { scriptSrc: ["'self'", (request) => `'nonce-${String(request.headers)}'`] } } }))).toThrow(/depend on the request/);
  });

  it('refuses a middleware that does not finish at once, or removes headers set before it', () => {
    expect(() => staticHeadersOf((_request, _response, next) => void setImmediate(next))).toThrow(/synchronously/);
    expect(() => staticHeadersOf((_request, response, next) => {
      response.removeHeader('Cache-Control');
      next();
    })).toThrow(/removes Cache-Control/);
    expect(() => staticHeadersOf((_request, _response, next) => next(new Error('broken')))).toThrow('broken');
  });

  it('takes the last value of a header set twice, once', () => {
    const taken = staticHeadersOf((_request, response, next) => {
      response.setHeader('X-Frame-Options', 'DENY');
      response.setHeader('x-frame-options', 'SAMEORIGIN');
      next();
    });
    expect(taken).toEqual([['x-frame-options', 'SAMEORIGIN']]);
  });
});
