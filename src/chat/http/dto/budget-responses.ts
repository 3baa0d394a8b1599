import { ApiTooManyRequestsResponse } from '@nestjs/swagger';
import { ErrorResponseDto } from '../../../common/errors/error-response.dto.js';

const RETRY_AFTER = { 'Retry-After': { description: 'Seconds until the budget allows one more', schema: { type: 'integer', minimum: 1 } } };

/** 429 of a send route: the sender's message budget (MESSAGE_BURST, MESSAGES_PER_MINUTE) is spent. */
export const MessageBudgetResponse = () =>
  ApiTooManyRequestsResponse({ type: ErrorResponseDto, headers: RETRY_AFTER, description: "The sender's message budget, shared by every transport, is spent (MESSAGE_BURST, then MESSAGES_PER_MINUTE); see Retry-After" });

/** 429 of a route that may create a conversation: the caller's conversation budget is spent. */
export const ConversationBudgetResponse = () =>
  ApiTooManyRequestsResponse({ type: ErrorResponseDto, headers: RETRY_AFTER, description: "Creating one more conversation would exceed the caller's budget (CONVERSATION_BURST, then CONVERSATIONS_PER_HOUR); see Retry-After. Opening an existing one is never refused" });
