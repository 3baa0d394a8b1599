import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class LivenessDto {
  /** Always `ok` while the process serves requests. */
  @ApiProperty({ enum: ['ok'] })
  status: 'ok';
}

export class ReadinessChecksDto {
  @ApiProperty({ enum: ['up', 'down'] })
  database: 'up' | 'down';
  /** `disabled` when the server runs without REDIS_URL. */
  @ApiProperty({ enum: ['up', 'down', 'disabled'] })
  redis: 'up' | 'down' | 'disabled';
  /** Present while the server drains after SIGTERM. */
  @ApiPropertyOptional({ enum: ['in progress'] })
  shutdown?: 'in progress';
}

export class ReadinessDto {
  /** `ok` when every dependency is reachable and the server is not shutting down. */
  @ApiProperty({ enum: ['ok', 'unavailable'] })
  status: 'ok' | 'unavailable';
  /** Each dependency's state. */
  checks: ReadinessChecksDto;
}
