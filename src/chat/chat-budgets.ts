import { Inject, Injectable, Logger } from '@nestjs/common';
import { TooManyRequestsException } from '../common/errors/api-exceptions.js';
import { TOKEN_BUCKETS, type BucketRule, type TokenBuckets } from '../common/rate/token-buckets.js';
import { APP_CONFIG } from '../config/config.module.js';
import { TYPING_BUDGET } from './chat.limits.js';
import type { AppConfig } from '../config/app-config.js';

/**
 * What one user may send and create, whichever way they come in: one message budget over REST
 * (both families), Socket.IO and the WebSocket rooms, and one budget for new conversations. A
 * burst passes; a flood is refused with how long to wait (REST: 429 and `Retry-After`), or, on a
 * WebSocket room, paced.
 *
 * If the store fails (Redis away), the budget lets everything through and says so in the log:
 * chat keeps working without its flood guard rather than stopping.
 */
@Injectable()
export class ChatBudgets {
  private readonly logger = new Logger(ChatBudgets.name);
  private lastWarning = 0;

  constructor(
    @Inject(TOKEN_BUCKETS) private readonly buckets: TokenBuckets,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Takes one message from the user's budget, or throws 429 saying when to retry. */
  async chargeMessage(userId: number): Promise<void> {
    refuseIfWaiting(await this.takeMessage(userId));
  }

  /** Takes one message: 0 when taken, else the milliseconds until one will be there (nothing taken). */
  takeMessage(userId: number): Promise<number> {
    return this.take(`messages:${userId}`, this.config.budgets.messages);
  }

  /** Takes one new conversation from the user's budget, or throws 429 saying when to retry. */
  async chargeConversation(userId: number): Promise<void> {
    refuseIfWaiting(await this.take(`conversations:${userId}`, this.config.budgets.conversations));
  }

  /** Takes one typing notice (a `typing:start` that is not a renewal), or throws 429 saying when to retry. */
  async chargeTyping(userId: number): Promise<void> {
    refuseIfWaiting(await this.take(`typing:${userId}`, TYPING_BUDGET));
  }

  /** Gives back a conversation charged for but not created (someone else created it first). */
  async refundConversation(userId: number): Promise<void> {
    await this.buckets.give(`conversations:${userId}`, this.config.budgets.conversations).catch((error: Error) => this.warn(error));
  }

  private async take(key: string, rule: BucketRule): Promise<number> {
    try {
      return await this.buckets.take(key, rule);
    } catch (error) {
      this.warn(error as Error);
      return 0;
    }
  }

  private warn(error: Error): void {
    if (Date.now() - this.lastWarning < 10_000) return;
    this.lastWarning = Date.now();
    this.logger.warn(`send budgets unavailable, not enforced meanwhile: ${error.message}`);
  }
}

function refuseIfWaiting(waitMs: number): void {
  if (waitMs > 0) throw new TooManyRequestsException(Math.max(1, Math.ceil(waitMs / 1000)));
}
