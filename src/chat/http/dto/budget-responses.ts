import { applyDecorators, Post, type Type } from '@nestjs/common';
import { ApiCreatedResponse, ApiForbiddenResponse, ApiOkResponse, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import { ErrorResponseDto } from '../../../common/errors/error-response.dto.js';

const RETRY_AFTER = { 'Retry-After': { description: 'Seconds until the budget allows one more', schema: { type: 'integer', minimum: 1 } } };

const BLOCKED = { type: ErrorResponseDto, description: 'The other person has blocked the caller (`{"detail": "You cannot message this user.", "code": "permission_denied"}`)' };

/**
 * What a send route may refuse besides bad input: 429 when the sender's message budget
 * (MESSAGE_BURST, MESSAGES_PER_MINUTE) is spent, 403 when the other member of a direct
 * conversation has blocked the sender.
 */
export const MessageBudgetResponse = () =>
  applyDecorators(
    ApiTooManyRequestsResponse({ type: ErrorResponseDto, headers: RETRY_AFTER, description: "The sender's message budget, shared by every transport, is spent (MESSAGE_BURST, then MESSAGES_PER_MINUTE); see Retry-After" }),
    ApiForbiddenResponse(BLOCKED),
  );

/** 429 of a route that may create a conversation: the caller's conversation budget is spent. */
export const ConversationBudgetResponse = () =>
  ApiTooManyRequestsResponse({ type: ErrorResponseDto, headers: RETRY_AFTER, description: "Creating one more conversation would exceed the caller's budget (CONVERSATION_BURST, then CONVERSATIONS_PER_HOUR); see Retry-After. Opening an existing one is never refused" });

/**
 * A route that opens a conversation: 201 with the one it created, 200 with the direct one that
 * already existed, 403 when the other person of a direct conversation has blocked the caller, and
 * 429 when creating one more would exceed the caller's budget.
 */
export const OpensConversation = (path: string, type: Type, answers: { created?: string; existed: string }) =>
  applyDecorators(
    Post(path),
    ConversationBudgetResponse(),
    ApiForbiddenResponse(BLOCKED),
    ApiCreatedResponse({ type, description: answers.created }),
    ApiOkResponse({ type, description: answers.existed }),
  );
