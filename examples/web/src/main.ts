import { createPalaverClient, newClientId, NEWEST, PalaverError, storageTokens, unwrap, type ChatMessage, type Realtime, type Schema } from '@palaver/client';
import { formValues, h, time } from './dom.js';

type Conversation = Schema<'ConversationDto'>;
interface Me {
  id: number;
  username: string;
}

const root = document.querySelector<HTMLElement>('#app')!;
const client = createPalaverClient({ baseUrl: location.origin, tokens: storageTokens('palaver.tokens') });

const state = {
  me: JSON.parse(localStorage.getItem('palaver.me') ?? 'null') as Me | null,
  realtime: null as Realtime | null,
  conversations: new Map<number, Conversation>(),
  open: null as number | null,
  /** Messages of the open conversation, by id. */
  messages: new Map<number, ChatMessage>(),
  /** Sends on their way (retried until acknowledged), by client_id. */
  pending: new Map<string, { text: string; error?: string }>(),
  /** Other members' read markers in the open conversation. */
  readBy: new Map<number, number | null>(),
  typing: new Map<number, { username: string; until: number }>(),
  online: new Map<number, boolean>(),
  editing: null as number | null,
  search: null as { q: string; results: ChatMessage[] } | null,
  connection: 'connecting',
};

client.session.on('logout', () => showLogin('You were logged out.'));

function nameOf(conversation: Conversation): string {
  if (conversation.title) return conversation.title;
  const others = conversation.participants.filter((p) => p.id !== state.me?.id).map((p) => p.username);
  return others.join(', ') || 'Just you';
}

/** Follows a conversation live, from the latest message this page has of it (none: from the start). */
function follow(conversation: Conversation): void {
  void state.realtime?.join(conversation.id, { after: conversation.messages.at(-1)?.id ?? 0 });
}

function otherIds(conversation: Conversation): number[] {
  return conversation.participants.filter((p) => p.id !== state.me?.id).map((p) => p.id);
}

// ---- logging in ----

function showLogin(notice = ''): void {
  state.realtime?.close();
  state.realtime = null;
  localStorage.removeItem('palaver.me');
  const form = h(
    'form',
    { id: 'auth' },
    h('h1', {}, 'Palaver'),
    notice ? h('p', { class: 'notice' }, notice) : null,
    h('label', {}, 'Username', h('input', { name: 'username', autocomplete: 'username', required: true })),
    h('label', {}, 'Email (to register)', h('input', { name: 'email', type: 'email', autocomplete: 'email' })),
    h('label', {}, 'Password', h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true })),
    h('p', { class: 'error', role: 'alert' }),
    h('div', { class: 'buttons' }, h('button', { type: 'submit', value: 'login' }, 'Log in'), h('button', { type: 'submit', value: 'register' }, 'Register')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const { username, email, password } = formValues(form);
    const action = ((event as SubmitEvent).submitter as HTMLButtonElement | null)?.value ?? 'login';
    const attempt = action === 'register' ? client.register({ username, email, password }) : client.login(username, password);
    attempt.then(
      (answer) => {
        state.me = { id: answer.user.id, username: answer.user.username };
        localStorage.setItem('palaver.me', JSON.stringify(state.me));
        void start();
      },
      (error: unknown) => (form.querySelector('.error')!.textContent = error instanceof Error ? error.message : String(error)),
    );
  });
  root.replaceChildren(form);
}

// ---- the chat ----

async function start(): Promise<void> {
  root.replaceChildren(h('p', { class: 'loading' }, 'Loading…'));
  const list = await unwrap(client.api.GET('/api/conversations/'));
  state.conversations = new Map(list.map((c) => [c.id, c]));
  const realtime = client.realtime();
  state.realtime = realtime;
  realtime.on('connection', ({ state: connection }) => {
    state.connection = connection;
    renderStatus();
  });
  realtime.on('message:new', onMessage);
  realtime.on('message:updated', (message) => {
    const conversation = state.conversations.get(message.conversation);
    if (conversation) conversation.messages = conversation.messages.map((m) => (m.id === message.id ? message : m));
    if (message.conversation === state.open && state.messages.has(message.id)) state.messages.set(message.id, message);
    render();
  });
  realtime.on('message:deleted', ({ conversation, id }) => {
    const message = conversation === state.open ? state.messages.get(id) : undefined;
    if (message) state.messages.set(id, { ...message, deleted: true, text: '' });
    render();
  });
  realtime.on('conversation:new', (conversation) => {
    state.conversations = new Map([[conversation.id, conversation], ...state.conversations]);
    follow(conversation);
    renderList();
    void loadPresence([conversation]);
  });
  realtime.on('conversation:removed', ({ conversation }) => {
    state.conversations.delete(conversation);
    if (state.open === conversation) state.open = null;
    render();
  });
  realtime.on('conversation:read', ({ conversation, user, last_read_message }) => {
    if (user.id === state.me?.id) {
      const own = state.conversations.get(conversation);
      if (own) own.unread_count = 0;
      renderList();
    } else if (conversation === state.open) {
      state.readBy.set(user.id, last_read_message);
      renderMessages();
    }
  });
  realtime.on('typing', ({ conversation, user, typing }) => {
    if (conversation !== state.open) return;
    if (typing) state.typing.set(user.id, { username: user.username, until: Date.now() + 7000 });
    else state.typing.delete(user.id);
    renderTyping();
  });
  realtime.on('presence', ({ user, online }) => {
    state.online.set(user.id, online);
    renderList();
    renderHeader();
  });
  for (const conversation of state.conversations.values()) follow(conversation);
  await loadPresence();
  renderShell();
  const fromHash = Number(new URLSearchParams(location.hash.slice(1)).get('c'));
  if (state.conversations.has(fromHash)) await openConversation(fromHash);
}

/** Online state of the people in these conversations (later changes arrive as `presence` events). */
async function loadPresence(conversations: Iterable<Conversation> = state.conversations.values()): Promise<void> {
  const ids = [...new Set([...conversations].flatMap(otherIds))].slice(0, 100);
  if (ids.length === 0) return;
  const presence = await unwrap(client.api.GET('/api/presence/', { params: { query: { users: ids.join(',') } } }));
  for (const entry of presence) state.online.set(entry.user.id, entry.online);
  renderList();
  renderHeader();
}

function onMessage(message: ChatMessage): void {
  const conversation = state.conversations.get(message.conversation);
  if (!conversation) return void refreshList();
  conversation.messages = [...conversation.messages, message].slice(-20);
  if (message.conversation === state.open) {
    state.messages.set(message.id, message);
    state.typing.delete(message.sender.id);
    if (message.sender.id !== state.me?.id && document.visibilityState === 'visible') void state.realtime?.read(message.conversation, message.id);
    renderMessages();
    renderTyping();
  } else if (message.sender.id !== state.me?.id) {
    conversation.unread_count += 1;
  }
  // The latest activity first.
  state.conversations = new Map([[conversation.id, conversation], ...[...state.conversations].filter(([id]) => id !== conversation.id)]);
  renderList();
}

async function refreshList(): Promise<void> {
  const list = await unwrap(client.api.GET('/api/conversations/'));
  for (const conversation of list) {
    if (!state.conversations.has(conversation.id)) follow(conversation);
  }
  state.conversations = new Map(list.map((c) => [c.id, c]));
  renderList();
}

async function openConversation(id: number): Promise<void> {
  state.open = id;
  state.search = null;
  state.editing = null;
  state.typing.clear();
  location.hash = `c=${id}`;
  const [messages, detail] = await Promise.all([
    unwrap(client.api.GET('/api/conversations/{id}/messages/', { params: { path: { id }, query: { before: NEWEST, limit: 100 } } })),
    unwrap(client.api.GET('/api/conversations/{id}/', { params: { path: { id } } })),
  ]);
  if (state.open !== id) return;
  state.messages = new Map(messages.map((m) => [m.id, m]));
  state.readBy = new Map(detail.read_by.map((r) => [r.user.id, r.last_read_message]));
  const conversation = state.conversations.get(id);
  if (conversation && conversation.unread_count > 0) {
    conversation.unread_count = 0;
    void state.realtime?.read(id);
  }
  render();
}

async function send(text: string): Promise<void> {
  const conversation = state.open;
  if (conversation === null || !state.realtime) return;
  const clientId = newClientId();
  state.pending.set(clientId, { text });
  renderMessages();
  state.realtime.typing(conversation, false);
  try {
    const message = await state.realtime.send(conversation, text, { clientId });
    state.pending.delete(clientId);
    if (state.open === message.conversation) state.messages.set(message.id, message);
  } catch (error) {
    state.pending.set(clientId, { text, error: error instanceof PalaverError ? error.message : String(error) });
  }
  renderMessages();
}

// ---- rendering ----

function renderShell(): void {
  const search = h('form', { id: 'search', role: 'search' }, h('input', { name: 'q', type: 'search', placeholder: 'Search messages', 'aria-label': 'Search messages' }));
  search.addEventListener('submit', (event) => {
    event.preventDefault();
    const q = formValues(search).q.trim();
    if (!q) return;
    void unwrap(client.api.GET('/api/search/messages/', { params: { query: { q } } })).then((results) => {
      state.search = { q, results };
      renderMain();
    });
  });
  const logout = h('button', { id: 'logout', type: 'button' }, 'Log out');
  logout.addEventListener('click', () => void client.logout());
  const start = h('form', { id: 'new-conversation' }, h('input', { name: 'username', placeholder: 'Start a chat with…', 'aria-label': 'Username' }), h('button', { type: 'submit' }, 'Start'));
  start.addEventListener('submit', (event) => {
    event.preventDefault();
    const username = formValues(start).username.trim();
    void startConversation(username).then(() => start.reset());
  });
  root.replaceChildren(
    h('header', {}, h('strong', {}, 'Palaver'), h('span', { id: 'me' }, state.me?.username ?? ''), h('span', { id: 'status' }), search, logout),
    h('div', { class: 'layout' }, h('aside', {}, start, h('ul', { id: 'conversations' })), h('section', { id: 'main' })),
  );
  render();
}

async function startConversation(username: string): Promise<void> {
  const users = await unwrap(client.api.GET('/accounts/api/users/', { params: { query: { search: username, limit: 10 } } }));
  const user = users.find((u) => u.username === username);
  if (!user) return void alert(`No user called ${username}`);
  const conversation = await unwrap(client.api.POST('/api/conversations/', { body: { participants: [user.id] } }));
  if (!state.conversations.has(conversation.id)) {
    state.conversations = new Map([[conversation.id, conversation], ...state.conversations]);
    follow(conversation);
    void loadPresence([conversation]);
  }
  await openConversation(conversation.id);
}

function render(): void {
  renderList();
  renderMain();
  renderStatus();
}

function renderStatus(): void {
  const status = document.querySelector('#status');
  if (status) status.textContent = state.connection === 'connected' ? '' : state.connection === 'closed' ? 'offline' : 'reconnecting…';
}

function renderList(): void {
  const list = document.querySelector('#conversations');
  if (!list) return;
  list.replaceChildren(
    ...[...state.conversations.values()].map((conversation) => {
      const latest = conversation.messages.at(-1);
      const online = otherIds(conversation).some((id) => state.online.get(id));
      const item = h(
        'li',
        { class: `conversation${conversation.id === state.open ? ' open' : ''}`, 'data-id': String(conversation.id) },
        h('span', { class: `dot${online ? ' online' : ''}`, title: online ? 'online' : 'offline' }),
        h('span', { class: 'name' }, nameOf(conversation)),
        conversation.unread_count > 0 ? h('span', { class: 'badge' }, String(conversation.unread_count)) : null,
        h('span', { class: 'preview' }, latest ? `${latest.sender.username}: ${latest.deleted ? 'deleted' : latest.text}` : 'No messages yet'),
      );
      item.addEventListener('click', () => void openConversation(conversation.id));
      return item;
    }),
  );
}

function renderMain(): void {
  const main = document.querySelector('#main');
  if (!main) return;
  if (state.search) {
    const close = h('button', { type: 'button' }, 'Close');
    close.addEventListener('click', () => {
      state.search = null;
      renderMain();
    });
    main.replaceChildren(
      h('h2', {}, `Results for “${state.search.q}”`, close),
      h(
        'ol',
        { id: 'search-results' },
        ...state.search.results.map((message) => {
          const item = h('li', { class: 'result' }, h('span', { class: 'author' }, message.sender.username), h('span', { class: 'text' }, message.text));
          item.addEventListener('click', () => void openConversation(message.conversation));
          return item;
        }),
      ),
    );
    return;
  }
  const conversation = state.open === null ? undefined : state.conversations.get(state.open);
  if (!conversation) return void main.replaceChildren(h('p', { class: 'empty' }, 'Pick a conversation, or start one.'));
  const composer = h('form', { id: 'composer' }, h('input', { name: 'text', autocomplete: 'off', placeholder: 'Message', 'aria-label': 'Message' }), h('button', { type: 'submit' }, 'Send'));
  const input = composer.querySelector('input')!;
  let typingSent = 0;
  input.addEventListener('input', () => {
    if (Date.now() - typingSent < 3000) return;
    typingSent = Date.now();
    state.realtime?.typing(conversation.id, true);
  });
  composer.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = '';
    typingSent = 0;
    void send(text);
  });
  main.replaceChildren(h('h2', { id: 'title' }, nameOf(conversation)), h('ol', { id: 'messages' }), h('p', { id: 'typing', 'aria-live': 'polite' }), composer);
  renderMessages();
  renderTyping();
  renderHeader();
}

function renderHeader(): void {
  const title = document.querySelector('#title');
  const conversation = state.open === null ? undefined : state.conversations.get(state.open);
  if (!title || !conversation) return;
  const online = otherIds(conversation).some((id) => state.online.get(id));
  title.replaceChildren(h('span', { class: `dot${online ? ' online' : ''}` }), nameOf(conversation));
}

function ticks(message: ChatMessage): string {
  const markers = [...state.readBy.values()];
  return markers.length > 0 && markers.every((read) => read !== null && read >= message.id) ? '✓✓' : '✓';
}

function renderMessages(): void {
  const list = document.querySelector('#messages');
  if (!list) return;
  const items = [...state.messages.values()].sort((a, b) => a.id - b.id).map((message) => {
    const mine = message.sender.id === state.me?.id;
    const item = h('li', { class: `message${mine ? ' mine' : ''}${message.deleted ? ' deleted' : ''}`, 'data-id': String(message.id) }, h('span', { class: 'author' }, message.sender.username));
    if (state.editing === message.id) {
      const form = h('form', { class: 'edit' }, h('input', { name: 'text', value: message.text, 'aria-label': 'Edit message' }), h('button', { type: 'submit' }, 'Save'));
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        const text = formValues(form).text.trim();
        state.editing = null;
        void unwrap(client.api.PATCH('/api/messages/{id}/', { params: { path: { id: message.id } }, body: { text } })).then((edited) => {
          state.messages.set(edited.id, edited);
          renderMessages();
        });
      });
      item.append(form);
    } else {
      item.append(h('span', { class: 'text' }, message.deleted ? 'This message was deleted' : message.text));
    }
    item.append(h('span', { class: 'meta' }, time(message.timestamp), message.edited_at ? ' · edited' : '', mine && !message.deleted ? h('span', { class: 'ticks' }, ` ${ticks(message)}`) : null));
    if (mine && !message.deleted && state.editing !== message.id) {
      const edit = h('button', { type: 'button', class: 'edit-button' }, 'Edit');
      edit.addEventListener('click', () => {
        state.editing = message.id;
        renderMessages();
      });
      const remove = h('button', { type: 'button', class: 'delete-button' }, 'Delete');
      remove.addEventListener('click', () => void client.api.DELETE('/api/messages/{id}/', { params: { path: { id: message.id } } }));
      item.append(h('span', { class: 'actions' }, edit, remove));
    }
    return item;
  });
  const pending = [...state.pending.values()].map(({ text, error }) =>
    h('li', { class: `message mine pending${error ? ' failed' : ''}` }, h('span', { class: 'text' }, text), h('span', { class: 'meta' }, error ? `not sent: ${error}` : 'sending…')),
  );
  list.replaceChildren(...items, ...pending);
  list.scrollTop = list.scrollHeight;
}

function renderTyping(): void {
  const line = document.querySelector('#typing');
  if (!line) return;
  const now = Date.now();
  for (const [id, entry] of state.typing) if (entry.until < now) state.typing.delete(id);
  const names = [...state.typing.values()].map((entry) => entry.username);
  line.textContent = names.length === 0 ? '' : `${names.join(', ')} ${names.length === 1 ? 'is' : 'are'} typing…`;
}
setInterval(renderTyping, 1000);

if (client.session.loggedIn && state.me) void start().catch(() => showLogin());
else showLogin();
