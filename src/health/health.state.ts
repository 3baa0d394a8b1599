import { Injectable } from '@nestjs/common';

/** Set when SIGTERM arrives, so readiness fails and load balancers stop sending traffic. */
@Injectable()
export class HealthState {
  shuttingDown = false;
}
