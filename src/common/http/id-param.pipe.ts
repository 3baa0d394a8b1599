import { NotFoundException, PipeTransform } from '@nestjs/common';
import { MAX_DB_ID } from '../validation/ids.js';


/**
 * Path ids: a positive 32-bit integer, else 404 (such an object cannot exist), so hostile ids
 * (`-1`, `1e9`, `9999999999`, `1;DROP`) never reach SQL and never cause a 500.
 */
export class IdParamPipe implements PipeTransform<string, number> {
  /** `max`: the largest id there can be (message ids are `bigint`s, read up to Number.MAX_SAFE_INTEGER). */
  constructor(
    private readonly what = 'Object',
    private readonly max = MAX_DB_ID,
  ) {}

  transform(value: string): number {
    if (!/^\d{1,16}$/.test(value)) throw new NotFoundException(`${this.what} not found`);
    const id = Number(value);
    if (id < 1 || id > this.max) throw new NotFoundException(`${this.what} not found`);
    return id;
  }
}
