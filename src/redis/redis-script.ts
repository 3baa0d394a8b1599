import type { RedisClient } from './redis.module.js';

/**
 * A Lua script run by its hash (EVALSHA): loaded on first use, and loaded again when Redis has
 * forgotten it (a restart: NOSCRIPT). A script is atomic across every instance sharing Redis.
 */
export class RedisScript {
  private sha: string | null = null;

  constructor(
    private readonly redis: RedisClient,
    private readonly source: string,
  ) {}

  async run(keys: string[], args: Array<string | number>): Promise<unknown> {
    const options = { keys, arguments: args.map(String) };
    this.sha ??= await this.redis.scriptLoad(this.source);
    try {
      return await this.redis.evalSha(this.sha, options);
    } catch (error) {
      if (!/NOSCRIPT/.test((error as Error).message)) throw error;
      this.sha = await this.redis.scriptLoad(this.source);
      return this.redis.evalSha(this.sha, options);
    }
  }
}
