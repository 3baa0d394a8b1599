/**
 * `npm run openapi`: writes the OpenAPI document to openapi.json and the AsyncAPI document of the
 * real-time API to asyncapi.yaml (both committed; CI fails when either is stale). Builds the app in
 * preview mode: no provider runs, so no database is needed.
 */
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { AppModule } from '../app.module.js';
import { loadConfig } from '../config/app-config.js';
import { renderAsyncApiYaml } from './asyncapi.js';
import { buildOpenApiDocument } from './openapi.js';

export async function renderDocuments(): Promise<{ openapi: string; asyncapi: string }> {
  const config = { ...loadConfig({ NODE_ENV: 'test', DATA_DIR: 'memory' }), databaseUrl: 'postgres://unused@127.0.0.1:1/unused' };
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), { preview: true, logger: false, abortOnError: false });
  try {
    const document = buildOpenApiDocument(app);
    return { openapi: `${JSON.stringify(document, null, 2)}\n`, asyncapi: renderAsyncApiYaml(document) };
  } finally {
    await app.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { openapi, asyncapi } = await renderDocuments();
  // Arguments: where to write them (default: the repository's committed copies).
  for (const [file, text] of [
    [process.argv[2] ?? 'openapi.json', openapi],
    [process.argv[3] ?? 'asyncapi.yaml', asyncapi],
  ]) {
    const target = resolve(file);
    writeFileSync(target, text);
    process.stdout.write(`wrote ${target}\n`);
  }
}
