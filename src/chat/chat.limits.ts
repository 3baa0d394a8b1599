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

/** Typing: a `typing:start` not renewed within this ends by itself. */
export const TYPING_TIMEOUT_MS = 6000;
/** Typing notices one user may start: 30 at once, then two a second (renewals of one already shown are free). */
export const TYPING_BUDGET = { capacity: 30, perSecond: 2 };
/** Conversations listed by `GET /api/unread/` (the total counts them all). */
export const UNREAD_LIST_MAX = 1000;
/** Users asked about in one `GET /api/presence/`. */
export const PRESENCE_QUERY_MAX = 100;
/** Contacts (and conversations) told of one user's presence change. */
export const PRESENCE_FANOUT_MAX = 10_000;
/** Different emoji one message may carry as reactions. */
export const MAX_REACTION_EMOJI = 20;
/** Search: results per page (default, most), newest hits ranked per search, longest query. */
export const SEARCH_PAGE_DEFAULT = 20;
export const SEARCH_PAGE_MAX = 50;
export const SEARCH_CANDIDATES = 500;
export const SEARCH_QUERY_MAX = 200;
