import type { NestExpressApplication, NestExpressBodyParserOptionsFor } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import type { Server } from 'node:http';
import { PalaverIoAdapter } from './chat/realtime/palaver-io.adapter.js';
import type { AppConfig } from './config/app-config.js';
import { REDIS_CLIENT } from './redis/redis.module.js';
import { PUBLIC_URL_SETTING } from './common/http/absolute-url.js';
import { allowedOrigins } from './common/http/cors.js';
import { answerClientErrors } from './common/http/client-errors.js';
import { formBodies } from './common/http/form-bodies.js';
import { verifyJsonBody } from './common/http/json-body-checks.js';
import { serveWebApp, WEB_APP_PATH } from './common/http/web-app.js';
import { assignRequestId } from './common/http/request-context.js';
import { HELMET_OPTIONS, staticHeadersOf } from './common/http/response-headers.js';
import { httpMetrics } from './metrics/http-metrics.js';
import { Metrics } from './metrics/metrics.service.js';
import { AppLifecycle } from './lifecycle/app-lifecycle.js';
import type { NextFunction, Request, Response } from 'express';
import { renderAsyncApiYaml } from './openapi/asyncapi.js';
import { buildOpenApiDocument } from './openapi/openapi.js';

/**
 * Everything about the HTTP server that is not a Nest provider. Used by `main.ts` and by the
 * tests, so tests exercise exactly what production serves.
 */
export function configureApp(app: NestExpressApplication, config: AppConfig): void {
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.set(PUBLIC_URL_SETTING, config.publicUrl);
  if (config.metrics.enabled) app.use(httpMetrics(app.get(Metrics)));
  const lifecycle = app.get(AppLifecycle);
  // Helmet's headers do not depend on the request, so they are taken once and set with the rest
  // in one middleware (docs/performance.md, "Issue 18, the evening pass").
  const securityHeaders = staticHeadersOf(helmet(HELMET_OPTIONS));
  app.use((request: Request, response: Response, next: NextFunction) => {
    assignRequestId(request, response);
    // While draining after SIGTERM: answer, then close the connection (the client reconnects to
    // another instance instead of sending its next request into a closing server).
    if (lifecycle.draining) response.setHeader('Connection', 'close');
    // API answers carry tokens and people's data: no cache may keep them. Pictures under /media/
    // and the /docs assets are public and keep their own caching.
    // The web client under /app/ sets its own.
    const path = request.path;
    if (!path.startsWith('/media/') && !path.startsWith('/docs') && path !== WEB_APP_PATH && !path.startsWith(`${WEB_APP_PATH}/`)) response.setHeader('Cache-Control', 'no-store');
    for (const [name, value] of securityHeaders) response.setHeader(name, value);
    next();
  });
  const corsOrigin = allowedOrigins(config);
  if (corsOrigin) app.enableCors({ origin: corsOrigin, exposedHeaders: ['X-Request-Id', 'Link', 'Retry-After'] });
  app.useWebSocketAdapter(new PalaverIoAdapter(app, config, app.get(REDIS_CLIENT)));
  // `verify` is Nest's own only with `rawBody: true` (not used here); its types reserve it anyway.
  app.useBodyParser('json', { limit: config.bodyLimitBytes, verify: verifyJsonBody } as NestExpressBodyParserOptionsFor<'json'>);
  app.useBodyParser('urlencoded', { limit: config.bodyLimitBytes, extended: false });
  // Multipart forms on every write route, and 415 for bodies DRF could not parse either. The
  // picture upload parses its own multipart body (multer's FileInterceptor, with its own limits).
  app.use(formBodies({ limitBytes: config.bodyLimitBytes, fileRoutes: [/^\/profiles\/api\/profile\/image\/?$/] }));
  // Weak ETags of JSON answers cost a SHA-1 of every body, and no client of this API revalidates
  // them (media files keep theirs: they are sent by `send`, which does its own).
  app.set('etag', false);

  const document = buildOpenApiDocument(app);
  // The real-time API (AsyncAPI 3, YAML), next to the REST API's Swagger UI; registered first so
  // Swagger's /docs/* does not take the path. Rendered on the first request, not at every start.
  let realtime: string | undefined;
  app.use('/docs/realtime', (request: Request, response: Response, next: NextFunction) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return next();
    response.type('application/yaml').send((realtime ??= renderAsyncApiYaml(document)));
  });
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', customSiteTitle: 'Palaver API' });
  serveWebApp(app, config.webAppDir);

  const server = app.getHttpServer();
  // Deliberate limits against slow clients (slowloris) and idle sockets.
  server.headersTimeout = config.httpTimeouts.headersMs;
  server.requestTimeout = Math.max(config.httpTimeouts.requestMs, config.httpTimeouts.headersMs);
  server.keepAliveTimeout = config.httpTimeouts.keepAliveMs;
  // Node checks the two timeouts above only every 30 s by default, so a slow client would be cut
  // up to 30 s late. Read when the server starts listening, so it applies if set before listen().
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = Math.min(1000, config.httpTimeouts.headersMs);
  server.maxHeadersCount = 100;
  answerClientErrors(server);
}
