import { Global, Module } from '@nestjs/common';
import { AppLifecycle } from './app-lifecycle.js';

@Global()
@Module({ providers: [AppLifecycle], exports: [AppLifecycle] })
export class LifecycleModule {}
