import { conversations, deletions, health, history, login, pages, search, send, unread } from './http.mjs';
import { cluster, fanout, idle, rooms } from './realtime.mjs';
import { whole } from './whole.mjs';

/** In the order of the README's table. */
export const scenarios = [health, conversations, send, history, pages, fanout, cluster, idle, login, rooms, whole, unread, search, deletions];
