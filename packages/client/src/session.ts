import { Emitter } from './emitter.js';
import { PalaverError, describeBody } from './errors.js';

/** An access and refresh token pair (SimpleJWT's shape). */
export interface Tokens {
  access: string;
  refresh: string;
}

/** Where the tokens live between calls (and page loads). */
export interface TokenStore {
  get(): Tokens | null;
  set(tokens: Tokens | null): void;
}

/** Tokens held in memory only: gone with the process or the page. */
export function memoryTokens(initial: Tokens | null = null): TokenStore {
  let tokens = initial;
  return {
    get: () => tokens,
    set: (next) => void (tokens = next),
  };
}

/** The part of the Web Storage API the token store uses (`localStorage`, `sessionStorage`). */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/**
 * Tokens in `localStorage` (or another Storage): a reload keeps the login, and every tab of the
 * origin shares one pair, so a refresh in one tab is seen by the others.
 */
export function storageTokens(key = 'palaver.tokens', storage: StorageLike = (globalThis as { localStorage?: StorageLike }).localStorage!): TokenStore {
  return {
    get() {
      try {
        const value = JSON.parse(storage.getItem(key) ?? 'null') as Tokens | null;
        return value && typeof value.access === 'string' && typeof value.refresh === 'string' ? value : null;
      } catch {
        return null;
      }
    },
    set(tokens) {
      if (tokens) storage.setItem(key, JSON.stringify(tokens));
      else storage.removeItem(key);
    },
  };
}

/**
 * Why the session ended: `logout` (asked for), `expired` (the refresh token ran out) or `revoked`
 * (logged out elsewhere, the account was deleted, or a spent refresh token was presented again,
 * which the server treats as theft and answers by ending the whole token family).
 */
export type LogoutReason = 'logout' | 'expired' | 'revoked';

export interface SessionEvents {
  /** New tokens (after a login or a refresh), or null after a logout. */
  tokens: Tokens | null;
  logout: { reason: LogoutReason };
}

/**
 * When to refresh ahead of the access token's `exp` (seconds since the epoch), so that requests
 * rarely meet a 401: 10 s before it, or a quarter of the token's lifetime if that is shorter.
 * Undefined when the token cannot be read (then only a 401 makes it refresh).
 */
function refreshTimeOf(token: string): number | undefined {
  try {
    const part = token.split('.')[1];
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '='));
    const { exp, iat } = JSON.parse(json) as { exp?: unknown; iat?: unknown };
    if (typeof exp !== 'number') return undefined;
    return exp - Math.min(10, typeof iat === 'number' ? (exp - iat) / 4 : 10);
  } catch {
    return undefined;
  }
}

function withAuthorization(request: Request, access: string): Request {
  const headers = new Headers(request.headers);
  headers.set('Authorization', `Bearer ${access}`);
  return new Request(request, { headers });
}

/** Whether a 401 is about the access token (expired, revoked session), which a refresh may cure. */
async function isAccessTokenRefusal(response: Response): Promise<boolean> {
  if (response.status !== 401) return false;
  try {
    const body = (await response.clone().json()) as { code?: string };
    return body.code === 'token_not_valid';
  } catch {
    return false;
  }
}

/**
 * The login of one user: attaches the access token to requests and refreshes it when it expires,
 * once for all callers (and, where the Web Locks API exists, once for all tabs), keeping the
 * rotated refresh token the server returns.
 */
export class Session extends Emitter<SessionEvents> {
  private inFlight: Promise<Tokens> | null = null;

  constructor(
    private readonly baseUrl: string,
    private readonly store: TokenStore,
    private readonly rawFetch: typeof fetch = (...args) => globalThis.fetch(...args),
    private readonly refreshPath = '/api/token/refresh/',
  ) {
    super();
  }

  get tokens(): Tokens | null {
    return this.store.get();
  }

  get loggedIn(): boolean {
    return this.store.get() !== null;
  }

  /** Stores a pair from a login or registration. */
  start(tokens: Tokens): void {
    this.store.set(tokens);
    this.emit('tokens', tokens);
  }

  /** Forgets the tokens and tells the listeners why. */
  end(reason: LogoutReason): void {
    const had = this.store.get() !== null;
    this.store.set(null);
    if (!had && reason !== 'logout') return;
    this.emit('tokens', null);
    this.emit('logout', { reason });
  }

  /** An access token that is not about to expire (refreshed first when it is). */
  async access(): Promise<string> {
    const tokens = this.store.get();
    if (!tokens) throw new PalaverError(401, 'Not logged in');
    const due = refreshTimeOf(tokens.access);
    if (due !== undefined && due <= Date.now() / 1000) return (await this.refresh(tokens.access)).access;
    return tokens.access;
  }

  /**
   * Exchanges the refresh token for a new pair. Concurrent callers share one exchange; with
   * `staleAccess`, nothing is exchanged if the stored access token is already another one
   * (someone refreshed meanwhile), because presenting a spent refresh token ends the session.
   */
  refresh(staleAccess?: string): Promise<Tokens> {
    const current = this.store.get();
    if (!current) return Promise.reject(new PalaverError(401, 'Not logged in'));
    if (staleAccess !== undefined && current.access !== staleAccess) return Promise.resolve(current);
    this.inFlight ??= this.exclusively(() => this.exchange(staleAccess)).finally(() => (this.inFlight = null));
    return this.inFlight;
  }

  /** `fetch` with the access token, refreshing and retrying once when the server says it is no longer valid. */
  readonly fetch = async (input: Request | string | URL, init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request && init === undefined ? input : new Request(input, init);
    if (!this.store.get()) return this.rawFetch(request);
    const access = await this.access();
    const retry = request.clone();
    const response = await this.rawFetch(withAuthorization(request, access));
    if (!(await isAccessTokenRefusal(response))) return response;
    let next: Tokens;
    try {
      next = await this.refresh(access);
    } catch (error) {
      if (error instanceof PalaverError && error.status === 401) return response;
      throw error;
    }
    return this.rawFetch(withAuthorization(retry, next.access));
  };

  private async exchange(staleAccess: string | undefined): Promise<Tokens> {
    // Inside the lock: another tab may have refreshed while this one waited.
    const current = this.store.get();
    if (!current) throw new PalaverError(401, 'Not logged in');
    if (staleAccess !== undefined && current.access !== staleAccess) return current;
    const response = await this.rawFetch(
      new Request(this.baseUrl + this.refreshPath, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ refresh: current.refresh }) }),
    );
    const body = (await response.json().catch(() => null)) as { access?: string; refresh?: string; detail?: string } | null;
    if (response.ok && body?.access) {
      const next = { access: body.access, refresh: body.refresh ?? current.refresh };
      this.store.set(next);
      this.emit('tokens', next);
      return next;
    }
    if (response.status === 401) {
      // A tab without Web Locks may have rotated the pair meanwhile: then its pair is the live one.
      const now = this.store.get();
      if (now && now.refresh !== current.refresh) return now;
      this.end(body?.detail === 'Token is expired' ? 'expired' : 'revoked');
    }
    throw new PalaverError(response.status, describeBody(body, `Token refresh failed (${response.status})`), body);
  }

  private exclusively<T>(task: () => Promise<T>): Promise<T> {
    const locks = (globalThis as { navigator?: { locks?: { request(name: string, callback: () => Promise<T>): Promise<T> } } }).navigator?.locks;
    return locks ? locks.request(`palaver-refresh:${this.baseUrl}`, task) : task();
  }
}
