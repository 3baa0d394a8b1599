/** The chat's limits in one place: what the DTOs validate, the services enforce and the README states. */

/** Characters in a message, once trimmed. */
export const MESSAGE_MAX_LENGTH = 4000;
/** People in a conversation, the caller included. */
export const MAX_PARTICIPANTS = 50;

/** History pages (`limit`, with `before`/`after`). */
export const HISTORY_DEFAULT = 50;
export const HISTORY_MAX = 200;
/** Conversations per page of `GET /api/conversations/`, and the latest messages shown with each. */
export const CONVERSATIONS_PAGE_DEFAULT = 20;
export const CONVERSATIONS_PAGE_MAX = 100;
export const PREVIEW_DEFAULT = 20;
export const PREVIEW_MAX = 50;
/** Page-number pages (`/api/messages/`), as DRF's `page_size`. */
export const PAGE_SIZE_DEFAULT = 20;
export const PAGE_SIZE_MAX = 100;

/** Idempotency keys (`client_id`): 1 to 64 of `A-Za-z0-9_.:-`. */
export const CLIENT_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;
export const CLIENT_ID_RULE = 'client_id must be 1 to 64 letters, digits or _.:-';
