import { conversations, health, history, login, pages, send } from './http.mjs';
import { cluster, fanout, idle, rooms } from './realtime.mjs';

/** In the order of the table. */
export const scenarios = [health, conversations, send, history, pages, fanout, cluster, idle, login, rooms];
