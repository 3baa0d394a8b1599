import createClient, { type Client } from 'openapi-fetch';
import { PalaverError, describeBody } from './errors.js';
import type { components, paths } from './generated/openapi.js';
import { Realtime, type RealtimeOptions } from './realtime.js';
import { Session, memoryTokens, type TokenStore, type Tokens } from './session.js';

export { Emitter } from './emitter.js';
export { PalaverError } from './errors.js';
export { Realtime, newClientId, type ChatMessage, type ChatSocket, type ClientEvents, type ConnectionState, type RealtimeEvents, type RealtimeOptions, type ServerEvents } from './realtime.js';
export { Session, memoryTokens, storageTokens, type LogoutReason, type StorageLike, type SessionEvents, type TokenStore, type Tokens } from './session.js';
export type { components, paths } from './generated/openapi.js';

/** A `before` cursor above every message id (the database's largest): `before=NEWEST` asks for the latest page. */
export const NEWEST = 2147483647;

/** The schemas of `openapi.json`, by name: `Schema<'ConversationDto'>`. */
export type Schema<Name extends keyof components['schemas']> = components['schemas'][Name];

export interface PalaverClientOptions {
  /** Where Palaver answers, e.g. `https://chat.example.com` (no trailing slash needed). */
  baseUrl: string;
  /** Where the tokens live (default: memory; `storageTokens()` keeps them across reloads). */
  tokens?: TokenStore;
  /** The `fetch` to use (default: the global one). */
  fetch?: typeof fetch;
}

export interface PalaverClient {
  /** Every REST route, typed from `openapi.json`; the access token is attached and refreshed. */
  api: Client<paths>;
  session: Session;
  /** Creates an account (`POST /register/`) and logs in with it. */
  register(account: Schema<'RegisterDto'>): Promise<Schema<'LoginResponseDto'>>;
  /** Logs in (`POST /login/`) and keeps the token pair. */
  login(username: string, password: string): Promise<Schema<'LoginResponseDto'>>;
  /** Ends the session on the server (the whole token family) and forgets the tokens. */
  logout(): Promise<void>;
  /** Opens the Socket.IO connection (`/chat`) with this login. */
  realtime(options?: RealtimeOptions): Realtime;
}

/** The result of an openapi-fetch call, or a {@link PalaverError} with the server's status and body. */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (response.ok) return data as T;
  throw new PalaverError(response.status, describeBody(error, `${response.status} ${response.statusText}`), error);
}

/**
 * A client of one Palaver server for one user at a time.
 *
 * ```ts
 * const palaver = createPalaverClient({ baseUrl: 'http://localhost:3000' });
 * await palaver.login('alice', 'correct horse battery');
 * const { data } = await palaver.api.GET('/api/conversations/');
 * ```
 */
export function createPalaverClient(options: PalaverClientOptions): PalaverClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const rawFetch = options.fetch ?? ((...args: Parameters<typeof fetch>) => globalThis.fetch(...args));
  const session = new Session(baseUrl, options.tokens ?? memoryTokens(), rawFetch);
  const api = createClient<paths>({ baseUrl, fetch: session.fetch });

  const login = async (username: string, password: string) => {
    const answer = await unwrap(api.POST('/login/', { body: { username, password } }));
    session.start({ access: answer.access, refresh: answer.refresh } satisfies Tokens);
    return answer;
  };

  return {
    api,
    session,
    login,
    async register(account) {
      await unwrap(api.POST('/register/', { body: account }));
      return login(account.username, account.password);
    },
    async logout() {
      const refresh = session.tokens?.refresh;
      // The server may be unreachable: the tokens are forgotten here all the same.
      if (refresh) await api.POST('/logout/', { body: { refresh } }).catch(() => undefined);
      session.end('logout');
    },
    realtime(realtimeOptions = {}) {
      return new Realtime(baseUrl, session, {
        latestMessageId: async (conversation) => {
          const latest = await unwrap(api.GET('/api/conversations/{id}/messages/', { params: { path: { id: conversation }, query: { before: NEWEST, limit: 1 } } }));
          return latest.at(-1)?.id ?? 0;
        },
        ...realtimeOptions,
      });
    },
  };
}
