import { jest } from '@jest/globals';
import type { DataSource } from 'typeorm';

/**
 * Counts the SQL statements TypeORM sends while `task` runs (TypeORM hands every query to the
 * data source's logger). Used to prove lists cost a fixed number of queries (no N+1).
 */
export async function countQueries(dataSource: DataSource, task: () => Promise<unknown>): Promise<{ count: number; queries: string[] }> {
  const spy = jest.spyOn(dataSource.logger, 'logQuery');
  try {
    await task();
    const queries = spy.mock.calls.map((call) => String(call[0]));
    return { count: queries.length, queries };
  } finally {
    spy.mockRestore();
  }
}
