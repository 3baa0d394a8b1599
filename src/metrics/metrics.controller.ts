import { Controller, Get, Headers, Inject, NotFoundException, Res, UnauthorizedException } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ErrorResponseDto } from '../common/errors/error-response.dto.js';
import { timingSafeEqual } from 'node:crypto';
import type { Response } from 'express';
import { Public } from '../common/decorators/public.decorator.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { Metrics } from './metrics.service.js';

function sameSecret(given: string, expected: string): boolean {
  const [a, b] = [Buffer.from(given), Buffer.from(expected)];
  return a.length === b.length && timingSafeEqual(a, b);
}

@ApiTags('health')
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: Metrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Prometheus text format. 404 unless METRICS_ENABLED=true; with METRICS_TOKEN set, only with `Authorization: Bearer <METRICS_TOKEN>` (401 otherwise). */
  @Get()
  @ApiOperation({ summary: 'Prometheus metrics (when enabled)' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Prometheus text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'Metrics are off (METRICS_ENABLED)' })
  @ApiUnauthorizedResponse({ type: ErrorResponseDto, description: 'METRICS_TOKEN is set and the request does not carry it' })
  async scrape(@Headers('authorization') authorization: string | undefined, @Res() response: Response): Promise<void> {
    const registry = this.metrics.registry;
    if (!registry) throw new NotFoundException('Not found.');
    const token = this.config.metrics.token;
    if (token && !sameSecret(authorization ?? '', `Bearer ${token}`)) throw new UnauthorizedException('Metrics need the METRICS_TOKEN bearer token.');
    response.setHeader('Content-Type', registry.contentType);
    response.send(await registry.metrics());
  }
}
