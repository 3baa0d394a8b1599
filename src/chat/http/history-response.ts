import type { Response } from 'express';
import { sendJsonArrayText } from '../../common/http/json-array-stream.js';
import { toApiMessage, toRoomMessage } from '../chat.mappers.js';
import { ChatService, textOf } from '../chat.service.js';
import { HISTORY_DEFAULT } from '../chat.limits.js';
import type { ConversationRef } from '../chat.types.js';
import type { MessageWireShape } from '../persistence/messages.repository.js';
import { isWholeListRequest, type HistoryQueryDto } from './dto/api-chat.dto.js';

/**
 * A conversation's history in one family's message shape: the whole of it (at most LIST_MAX_ITEMS,
 * streamed) when no paging parameter is given, as the originals answer, else one keyset page.
 */
export async function answerHistory(
  chat: ChatService,
  response: Response,
  request: { userId: number; reference: ConversationRef; query: HistoryQueryDto; shape: MessageWireShape },
): Promise<void> {
  const { userId, reference, query, shape } = request;
  if (isWholeListRequest(query)) {
    const { pages } = await chat.wholeHistory(userId, reference, shape);
    return sendJsonArrayText(response, textOf(pages));
  }
  const { messages } = await chat.history(userId, reference, { limit: query.limit ?? HISTORY_DEFAULT, before: query.before, after: query.after });
  // The `/messenger/` family's clients know no deleted messages: they are left out (pages may come short).
  response.json(shape === 'api' ? messages.map(toApiMessage) : messages.filter((m) => !m.deleted).map(toRoomMessage));
}
