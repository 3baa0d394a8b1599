import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { load } from 'js-yaml';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('platform', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ BODY_LIMIT_BYTES: '2048' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('reports liveness and readiness', async () => {
    const live = await t.http().get('/health').expect(200);
    expect(live.body).toEqual({ status: 'ok' });
    const ready = await t.http().get('/health/ready').expect(200);
    expect(ready.body).toEqual({ status: 'ok', checks: { database: 'up', redis: 'disabled' } });
  });

  it('answers malformed JSON with a JSON 400', async () => {
    const response = await t.http().post('/login/').set('Content-Type', 'application/json').send('{"username": <secret>').expect(400);
    // Says what is wrong without quoting the client's bytes back (the parser's own message does).
    expect(response.body).toEqual({ detail: 'JSON parse error - malformed JSON in request body', code: 'parse_error' });
    expect(response.headers['x-request-id']).toEqual(expect.any(String));
    expect(response.text).not.toContain('secret');
  });

  it('refuses unpaired surrogate escapes in JSON strings with a 400 (validator.js threw on them: 500)', async () => {
    for (const escape of ['\\ud800', '\\udfff', '\\ud800\\u0041', 'a\\udc00b']) {
      const body = `{"username":"zz","email":"${escape}@example.com","password":"correct horse battery"}`;
      const response = await t.http().post('/register/').set('Content-Type', 'application/json').send(body).expect(400);
      expect(response.body).toMatchObject({ code: 'parse_error', detail: expect.stringMatching(/unpaired surrogate/) });
    }
    // A paired one (an emoji) and an escaped backslash before "ud800" are ordinary text.
    for (const text of ['\\ud83d\\ude00', '\\\\ud800']) {
      const response = await t.http().post('/register/').set('Content-Type', 'application/json').send(`{"username":"${text}"}`).expect(400);
      expect(response.body.username).toBeDefined();
      expect(JSON.stringify(response.body)).not.toMatch(/surrogate/);
    }
  });

  it('answers an oversized body with a JSON 413', async () => {
    const response = await t.http().post('/login/').send({ username: 'x', password: 'y'.repeat(5000) }).expect(413);
    expect(response.body).toEqual({ detail: 'Request body is too large', code: 'request_too_large' });
  });

  it('answers deeply nested JSON with a JSON 400 before parsing it (validation recursed into a 500)', async () => {
    for (const depth of [33, 900]) { // this app's body limit is small (see the 413 test)
      const body = `{"username":${'['.repeat(depth)}${']'.repeat(depth)}}`;
      const response = await t.http().post('/register/').set('Content-Type', 'application/json').send(body).expect(400);
      expect(response.body).toEqual({ detail: 'JSON parse error - JSON in request body is nested too deeply (at most 32 levels)', code: 'parse_error' });
    }
    // Brackets inside strings do not count, and ordinary nesting passes the check.
    const inString = await t.http().post('/register/').send({ username: '['.repeat(100), email: 'x@example.com', password: 'correct horse battery' }).expect(400);
    expect(inString.body.username).toBeDefined();
  });

  it('answers oversized headers and URLs with a JSON 431, and malformed requests with a JSON 400, without reaching the app', async () => {
    const { port } = new URL(t.baseUrl);
    for (const request of [
      `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      `GET /health?${'a'.repeat(100_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
    ]) {
      const answer = await rawExchange(Number(port), request);
      expect(answer.head).toMatch(/^HTTP\/1\.1 431 /);
      expect(JSON.parse(answer.body)).toEqual({ detail: 'Request headers or URL too large', code: 'request_header_fields_too_large' });
    }
    for (const request of ['GARBAGE\r\n\r\n', 'GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n', 'GET /health HTTP/1.1\r\nBad Header\r\n\r\n']) {
      const answer = await rawExchange(Number(port), request);
      expect(answer.head).toMatch(/^HTTP\/1\.1 400 /);
      expect(JSON.parse(answer.body)).toEqual({ detail: 'Malformed HTTP request', code: 'parse_error' });
    }
  });

  it('answers an unknown route with a JSON 404', async () => {
    const response = await t.http().get('/nope/').expect(404);
    expect(response.body).toEqual({ detail: 'Not found.', code: 'not_found' });
  });

  it('never leaks a stack trace or SQL', async () => {
    const responses = await Promise.all([
      t.http().post('/login/').send('[]').set('Content-Type', 'application/json'),
      t.http().post('/register/').send({ username: { $ne: null }, email: "' OR 1=1 --", password: ['a'] }),
      t.http().get('/accounts/api/users/?after=99999999999999999999'),
    ]);
    for (const response of responses) {
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      expect(JSON.stringify(response.body)).not.toMatch(/at .*\.(js|ts):\d+|SELECT|INSERT|QueryFailedError/);
    }
  });

  it('sets security headers, a request id, and no x-powered-by', async () => {
    const response = await t.http().get('/health').expect(200);
    expect(response.headers['x-powered-by']).toBeUndefined();
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const echoed = await t.http().get('/health').set('X-Request-Id', 'trace-123').expect(200);
    expect(echoed.headers['x-request-id']).toBe('trace-123');
    const refused = await t.http().get('/health').set('X-Request-Id', 'bad id with spaces').expect(200);
    expect(refused.headers['x-request-id']).not.toBe('bad id with spaces');
  });

  it('accepts contract paths with and without the trailing slash', async () => {
    await t.http().post('/login').send({}).expect(400);
    await t.http().post('/login/').send({}).expect(400);
  });

  it('serves Swagger UI at /docs and the document at /docs-json', async () => {
    const ui = await t.http().get('/docs').redirects(1).expect(200);
    expect(ui.text).toContain('swagger-ui');
    const json = await t.http().get('/docs-json').expect(200);
    expect(json.body.openapi).toMatch(/^3\./);
    expect(json.body.paths['/register/'].post).toBeDefined();
    expect(json.body.paths['/accounts/api/users/'].get.security).toEqual([{ bearer: [] }]);
    expect(json.body.paths['/login/'].post.security).toEqual([]);
  });

  it('serves the AsyncAPI document of the real-time API at /docs/realtime, as committed', async () => {
    const realtime = await t.http().get('/docs/realtime').buffer(true).parse((response, done) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => done(null, text));
    }).expect(200);
    expect(realtime.headers['content-type']).toMatch(/^application\/yaml/);
    // Built from the same catalogue as the committed file (whose REST schemas come from the Nest
    // CLI's Swagger plugin, which this test build does not run): the same channels and messages.
    const served = load(realtime.body as string) as { asyncapi: string; channels: Record<string, { messages: Record<string, unknown> }> };
    const committed = load(readFileSync('asyncapi.yaml', 'utf8')) as typeof served;
    expect(served.asyncapi).toBe(committed.asyncapi);
    for (const channel of Object.keys(committed.channels)) expect(Object.keys(served.channels[channel].messages)).toEqual(Object.keys(committed.channels[channel].messages));
  });

  it('answers and closes upgrade requests that no server owns (security review, finding 1: they were held for ever)', async () => {
    const { port } = new URL(t.baseUrl);
    for (const path of ['/health', '/nope/', '/api/conversations/', '/socket.iox/']) {
      const answer = await rawExchange(
        Number(port),
        `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
        3000,
      );
      expect(answer.head).toMatch(/^HTTP\/1\.1 404 /);
      expect(JSON.parse(answer.body)).toEqual({ detail: 'Not Found', code: 'not_found' });
      expect(answer.closedAfterMs).toBeLessThan(2000);
    }
  });

  it('keeps migrations and entities in step (nothing left for the schema builder to do)', async () => {
    const pending = await t.dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
  });
});

/** Writes raw bytes on a new connection, never ends it, and reads until the server closes it (or fails after `timeoutMs`). */
function rawExchange(port: number, request: string, timeoutMs = 30_000): Promise<{ head: string; body: string; closedAfterMs: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept the connection open for ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('close', () => clearTimeout(timer));
    let data = '';
    socket.on('data', (chunk: Buffer) => (data += chunk.toString('utf8')));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head, ...rest] = data.split('\r\n\r\n');
      resolve({ head, body: rest.join('\r\n\r\n'), closedAfterMs: Date.now() - started });
    });
  });
}

describe('slow and idle clients', () => {
  let t: TestApp;
  let port: number;

  beforeAll(async () => {
    t = await startTestApp({ HTTP_HEADERS_TIMEOUT: '1', HTTP_REQUEST_TIMEOUT: '2', HTTP_KEEPALIVE_TIMEOUT: '1' });
    port = Number(new URL(t.baseUrl).port);
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers headers that never finish (slowloris) with a JSON 408 and closes the connection', async () => {
    const answer = await rawExchange(port, 'GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: 1\r\n');
    expect(answer.head).toMatch(/^HTTP\/1\.1 408 /);
    expect(JSON.parse(answer.body)).toEqual({ detail: 'Request not received in time', code: 'request_timeout' });
    expect(answer.closedAfterMs).toBeGreaterThanOrEqual(900);
    expect(answer.closedAfterMs).toBeLessThan(3500);
  });

  it('answers a body that stops arriving with a JSON 408 and closes the connection', async () => {
    const answer = await rawExchange(port, 'POST /login/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"username":');
    expect(answer.head).toMatch(/^HTTP\/1\.1 408 /);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'request_timeout' });
    expect(answer.closedAfterMs).toBeGreaterThanOrEqual(1900);
    expect(answer.closedAfterMs).toBeLessThan(4500);
  });

  it('closes an idle keep-alive connection after the keep-alive timeout, having answered its request', async () => {
    const answer = await rawExchange(port, 'GET /health HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n');
    expect(answer.head).toMatch(/^HTTP\/1\.1 200 /);
    expect(answer.head).toMatch(/Keep-Alive: timeout=1/i);
    expect(answer.closedAfterMs).toBeGreaterThanOrEqual(900);
    expect(answer.closedAfterMs).toBeLessThan(3500);
  });

  it('still serves a client that is slow but within the limits', async () => {
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      const parts = ['GET /health HTTP/1.1\r\n', 'Host: x\r\n', 'Connection: close\r\n', '\r\n'];
      let data = '';
      socket.on('data', (chunk: Buffer) => (data += chunk.toString('utf8')));
      socket.on('close', () => resolve(data));
      socket.on('error', reject);
      parts.forEach((part, i) => setTimeout(() => socket.write(part), i * 200));
    });
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
  });
});

describe('openapi.json', () => {
  it('is up to date with the code (run `npm run openapi` after changing routes or DTOs)', () => {
    // Rendered from the build (the Swagger CLI plugin runs in `nest build`; `npm test` builds first).
    const dir = mkdtempSync(join(tmpdir(), 'palaver-openapi-'));
    execFileSync(process.execPath, ['dist/src/openapi/write-openapi.js', join(dir, 'openapi.json'), join(dir, 'asyncapi.yaml')], { stdio: 'pipe' });
    expect(readFileSync('openapi.json', 'utf8')).toBe(readFileSync(join(dir, 'openapi.json'), 'utf8'));
    expect(readFileSync('asyncapi.yaml', 'utf8')).toBe(readFileSync(join(dir, 'asyncapi.yaml'), 'utf8'));
  });
});

// Runs where REDIS_URL points at a server (CI sets it for the PostgreSQL pass).
(process.env.REDIS_URL ? describe : describe.skip)('readiness with Redis configured', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ REDIS_URL: process.env.REDIS_URL ?? '', REDIS_KEY_PREFIX: `palaver-test-${process.pid}-platform` });
  });
  afterAll(async () => {
    await t.close();
  });

  it('checks Redis too', async () => {
    const ready = await t.http().get('/health/ready').expect(200);
    expect(ready.body).toEqual({ status: 'ok', checks: { database: 'up', redis: 'up' } });
  });
});

describe('the web client at /app/', () => {
  let t: TestApp;
  let off: TestApp;

  beforeAll(async () => {
    // A build of its shape: a page and a hashed asset.
    const dir = mkdtempSync(join(tmpdir(), 'palaver-web-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Palaver</title><script type="module" src="/app/assets/index-abc123.js"></script>');
    writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log("app")');
    t = await startTestApp({ WEB_APP_DIR: dir });
    off = await startTestApp({ WEB_APP_DIR: 'off' });
  });
  afterAll(async () => {
    await t.close();
    await off.close();
  });

  it('serves the page (revalidated) for every path under /app/, and hashed assets cached for a year', async () => {
    await t.http().get('/app').expect(301).expect('Location', '/app/');
    for (const path of ['/app/', '/app/conversations/12']) {
      const page = await t.http().get(path).expect(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.headers['cache-control']).toBe('no-cache');
      expect(page.text).toContain('<title>Palaver</title>');
    }
    const asset = await t.http().get('/app/assets/index-abc123.js').expect(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.headers['content-security-policy']).toContain("script-src 'self'");
    // A missing asset is a 404, not the page; the API beside it is untouched.
    await t.http().get('/app/assets/index-gone.js').expect(404);
    await t.http().post('/app/').expect(404);
    expect((await t.http().get('/health').expect(200)).headers['cache-control']).toBe('no-store');
  });

  it('serves nothing with WEB_APP_DIR=off', async () => {
    await off.http().get('/app/').expect(404);
  });
});
