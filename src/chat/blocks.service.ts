import { Injectable, NotFoundException } from '@nestjs/common';
import { FieldValidationException } from '../common/errors/api-exceptions.js';
import { UsersRepository } from '../users/users.repository.js';
import type { BlockDto } from './http/dto/blocks.dto.js';
import { BlocksRepository } from './persistence/blocks.repository.js';

/** Most blocks listed (nobody blocks more in practice; the list stays bounded). */
const BLOCKS_LISTED = 1000;

/** Who has blocked whom (enforced by ChatService, PresenceService and TypingTracker). */
@Injectable()
export class BlocksService {
  constructor(
    private readonly blocks: BlocksRepository,
    private readonly users: UsersRepository,
  ) {}

  async block(userId: number, targetId: number): Promise<{ block: BlockDto; created: boolean }> {
    if (targetId === userId) throw FieldValidationException.forField('user', 'You cannot block yourself.');
    const [target] = await this.users.liveByIds([targetId]);
    if (!target) throw FieldValidationException.forField('user', `Invalid pk "${targetId}" - object does not exist.`);
    const created = await this.blocks.block(userId, targetId);
    const entry = (await this.blocks.list(userId, BLOCKS_LISTED)).find((b) => b.id === targetId);
    return { block: { user: { id: target.id, username: target.username }, created_at: new Date(entry?.created_at ?? Date.now()).toISOString() }, created };
  }

  async unblock(userId: number, targetId: number): Promise<void> {
    if (!(await this.blocks.unblock(userId, targetId))) throw new NotFoundException('This user is not blocked.');
  }

  async list(userId: number): Promise<BlockDto[]> {
    const rows = await this.blocks.list(userId, BLOCKS_LISTED);
    return rows.map((r) => ({ user: { id: r.id, username: r.username }, created_at: new Date(r.created_at).toISOString() }));
  }
}
