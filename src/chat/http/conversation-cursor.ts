import { BadRequestException } from '@nestjs/common';
import { MAX_DB_ID } from '../../common/validation/ids.js';
import type { ConversationCursor } from '../persistence/chat-rows.js';

export function encodeConversationCursor(cursor: ConversationCursor): string {
  return Buffer.from(`${cursor.lastActivityAt}|${cursor.id}`).toString('base64url');
}

export function decodeConversationCursor(raw: string | undefined): ConversationCursor | undefined {
  if (raw === undefined) return undefined;
  const match = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z)\|(\d{1,10})$/.exec(Buffer.from(raw, 'base64url').toString('utf8'));
  if (!match || Number.isNaN(Date.parse(match[1])) || Number(match[2]) > MAX_DB_ID) throw new BadRequestException('Invalid cursor');
  return { lastActivityAt: match[1], id: Number(match[2]) };
}
