import 'reflect-metadata';
import { ConsoleLogger, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Server as NetServer } from 'node:net';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module.js';
import { configureApp } from './app.setup.js';
import { ConfigError, loadConfig, type AppConfig } from './config/app-config.js';
import { EMBEDDED_POOL_SIZE, startEmbeddedPostgres, type EmbeddedPostgres } from './database/embedded-postgres.js';
import { AppLifecycle } from './lifecycle/app-lifecycle.js';
import { webAppBuilt } from './common/http/web-app.js';

const LEVELS = ['error', 'warn', 'log', 'debug', 'verbose'] as const;

async function bootstrap(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = new ConsoleLogger('Palaver', {
    json: config.logFormat === 'json',
    logLevels: LEVELS.slice(0, LEVELS.indexOf(config.logLevel) + 1),
  });

  let embedded: EmbeddedPostgres | null = null;
  let databaseUrl = config.databaseUrl;
  let dbPoolSize = config.dbPoolSize;
  if (!databaseUrl) {
    logger.log(`DATABASE_URL is not set: starting the embedded PostgreSQL (PGlite) in ${config.dataDir}`);
    embedded = await startEmbeddedPostgres({ dataDir: config.dataDir });
    databaseUrl = embedded.url;
    dbPoolSize = EMBEDDED_POOL_SIZE;
  }

  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot({ ...config, databaseUrl, dbPoolSize }), {
    bodyParser: false,
    logger,
  });
  configureApp(app, config);
  await app.listen(config.port, config.host);
  logger.log(`Palaver listening on http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port} (API docs at /docs${webAppBuilt(config.webAppDir) ? ', web client at /app/' : ''})`);

  /** After SIGTERM, how long the server still accepts and reads requests before it stops listening. */
  const DRAIN_SETTLE_MS = 1000;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal} received: draining and shutting down`);
    app.get(AppLifecycle).beginDrain();
    const server = app.getHttpServer();
    // Readiness now says 503, so a load balancer stops sending new connections. For a second more
    // this instance still accepts and serves (each answer with `Connection: close`, see
    // configureApp): connections a client opened just before the signal may still wait in the
    // kernel's accept queue, and closing the listener would reset them, as would http.Server's
    // close(), which drops every connection whose request is not parsed yet. Then it stops
    // listening, closes idle connections, and app.close() waits for requests in progress.
    await new Promise((resolve) => setTimeout(resolve, DRAIN_SETTLE_MS));
    NetServer.prototype.close.call(server);
    server.closeIdleConnections();
    const force = setTimeout(() => {
      logger.warn(`shutdown still running after ${config.shutdownTimeoutMs} ms: closing remaining connections`);
      server.closeAllConnections();
    }, config.shutdownTimeoutMs);
    force.unref();
    try {
      await app.close();
      await embedded?.stop();
    } catch (error) {
      logger.error(`error during shutdown: ${(error as Error).message}`);
      process.exitCode = 1;
    } finally {
      clearTimeout(force);
    }
    process.exit();
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

bootstrap().catch((error: unknown) => {
  new Logger('Palaver').error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
