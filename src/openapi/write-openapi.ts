/**
 * `npm run openapi`: writes the OpenAPI document to openapi.json (committed; CI fails when it is
 * stale). Builds the app in preview mode: no provider runs, so no database is needed.
 */
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { AppModule } from '../app.module.js';
import { loadConfig } from '../config/app-config.js';
import { buildOpenApiDocument } from './openapi.js';

export async function renderOpenApi(): Promise<string> {
  const config = { ...loadConfig({ NODE_ENV: 'test', DATA_DIR: 'memory' }), databaseUrl: 'postgres://unused@127.0.0.1:1/unused' };
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), { preview: true, logger: false, abortOnError: false });
  try {
    return `${JSON.stringify(buildOpenApiDocument(app), null, 2)}\n`;
  } finally {
    await app.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const target = resolve(process.argv[2] ?? 'openapi.json');
  writeFileSync(target, await renderOpenApi());
  process.stdout.write(`wrote ${target}\n`);
}
