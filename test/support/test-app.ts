import { ConsoleLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { AddressInfo } from 'node:net';
import supertest from 'supertest';
import { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module.js';
import { configureApp } from '../../src/app.setup.js';
import { loadConfig, type AppConfig } from '../../src/config/app-config.js';
import { OpenApiResponseValidator, type ResponseViolation } from './openapi-response-validator.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

export interface TestApp {
  app: NestExpressApplication;
  config: AppConfig;
  /** Base URL of the listening server, e.g. http://127.0.0.1:40123 */
  baseUrl: string;
  http: () => supertest.Agent;
  dataSource: DataSource;
  /** Answers that did not match openapi.json so far; `close()` fails the test file if any. */
  responseViolations: ResponseViolation[];
  close(): Promise<void>;
}

/**
 * Boots the real app (same module, same global pipe/filter/guard, same express setup as
 * production) on a random port (or a given one, to restart a server in place) against a database
 * of its own, or a given one.
 */
export async function startTestApp(env: Record<string, string> = {}, database?: TestDatabase, options: { port?: number } = {}): Promise<TestApp> {
  const db = database ?? (await createTestDatabase());
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: 'memory',
    JWT_SECRET: 'test-secret-that-is-long-enough-for-hs256-0123456789',
    LOG_LEVEL: 'warn',
    // Test files register many users from one address within a minute; the registration
    // throttle is tested with its own setting (security-review.e2e-spec.ts).
    REGISTRATIONS_PER_IP_PER_MINUTE: '100000',
    // Test files send and create far faster than people; the budgets are tested with their own
    // settings (security-review.e2e-spec.ts, finding 8).
    MESSAGE_BURST: '1000000',
    MESSAGES_PER_MINUTE: '100000000',
    CONVERSATION_BURST: '1000000',
    CONVERSATIONS_PER_HOUR: '100000000',
    ...env,
  });
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot({ ...config, databaseUrl: db.url, dbPoolSize: db.poolSize ?? config.dbPoolSize, port: 0 }), {
    bodyParser: false,
    logger: new ConsoleLogger({ logLevels: ['error', 'warn'] }),
  });
  // Installed before everything else so it sees every answer, including the platform's own.
  const validator = OpenApiResponseValidator.fromFile();
  app.use(validator.middleware());
  configureApp(app, config);
  await app.listen(options.port ?? 0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    app,
    config,
    baseUrl,
    http: () => supertest.agent(app.getHttpServer()),
    dataSource: app.get(DataSource),
    responseViolations: validator.violations,
    async close() {
      await app.close();
      if (!database) await db.drop();
      if (validator.violations.length > 0) {
        const list = validator.violations.map((v) => `  ${v.request} -> ${v.status}: ${v.problem}`).join('\n');
        throw new Error(`${validator.violations.length} answers do not match openapi.json:\n${list}`);
      }
    },
  };
}
