// Baseline for scenario 8's fresh-instance memory: a bare Nest app (Express platform, one route)
// with every package of the app's `dependencies` loaded, as the app loads them, and nothing of
// Palaver's own: what is left of the app's RSS beyond it is Palaver's modules, pools and caches.
import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { readFileSync } from 'node:fs';

const { dependencies } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
for (const name of Object.keys(dependencies)) await import(name);

class HealthController {
  health() {
    return { status: 'ok' };
  }
}
Controller()(HealthController);
Get('health')(HealthController.prototype, 'health', Object.getOwnPropertyDescriptor(HealthController.prototype, 'health'));
class AppModule {}
Module({ controllers: [HealthController] })(AppModule);

const app = await NestFactory.create(AppModule, { logger: false });
await app.listen(Number(process.env.PORT), '127.0.0.1');
