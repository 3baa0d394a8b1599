/// <reference lib="dom" />
// The functions given to waitForFunction run in the page, with its DOM.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { createUser, type TestUser } from './support/users.js';

/**
 * The reference web client (examples/web, served at /app/) in a real browser: Debian's chromium
 * driven by Playwright. `npm test` builds the client first; `SCREENSHOTS=<dir>` saves the main
 * screens there (the README's come from `npm run screenshots`).
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const WEB_BUILD = join(process.cwd(), 'examples/web/dist/index.html');
const SCREENSHOTS = process.env.SCREENSHOTS;

describe('the reference web client in Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  /** Bob's browser reaches the server through this proxy, so the test can cut his network. */
  let proxy: TcpProxy;
  let alice: TestUser;
  let bob: TestUser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`No browser at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
    if (!existsSync(WEB_BUILD)) throw new Error('examples/web is not built: npm run build --workspaces (npm test does it)');
    t = await startTestApp();
    proxy = await startTcpProxy('127.0.0.1', Number(new URL(t.baseUrl).port));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    [alice, bob] = [await createUser(t, 'alice'), await createUser(t, 'bob')];
    if (SCREENSHOTS) mkdirSync(SCREENSHOTS, { recursive: true });
  }, 60_000);
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await proxy?.close();
    await t?.close();
  });

  const shoot = async (page: Page, name: string) => {
    if (SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
  };

  async function openAs(user: TestUser, baseUrl: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1100, height: 700 } });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (error) => {
      throw error;
    });
    await page.goto(`${baseUrl}/app/`);
    await page.fill('input[name=username]', user.username);
    await page.fill('input[name=password]', user.password);
    await page.click('button[value=login]');
    await page.waitForSelector('#logout');
    return page;
  }

  const messageTexts = (page: Page) => page.locator('#messages li.message:not(.pending) .text').allTextContents();
  const badge = (page: Page) => page.locator('#conversations li.conversation .badge');

  it('registers a new user through the form, and refuses a wrong password with the server\'s message', async () => {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${t.baseUrl}/app/`);
    await shoot(page, 'login');
    await page.fill('input[name=username]', alice.username);
    await page.fill('input[name=password]', 'not the password');
    await page.click('button[value=login]');
    await page.waitForFunction(() => document.querySelector('#auth .error')?.textContent !== '');
    expect(await page.locator('#auth .error').textContent()).toBe('No active account found with the given credentials');
    const username = `carol_${process.pid}`;
    await page.fill('input[name=username]', username);
    await page.fill('input[name=email]', `${username}@example.com`);
    await page.fill('input[name=password]', 'correct horse battery');
    await page.click('button[value=register]');
    await page.waitForSelector('#logout');
    expect(await page.locator('#me').textContent()).toBe(username);
  }, 60_000);

  it('two people chat live: unread badge, read ticks, typing, online dots, reload, a network drop, edit, delete, search', async () => {
    const a = await openAs(alice, t.baseUrl);
    const b = await openAs(bob, `http://127.0.0.1:${proxy.port}`);

    // Alice starts a chat with Bob; it appears in Bob's list by itself.
    await a.fill('#new-conversation input', bob.username);
    await a.click('#new-conversation button');
    await a.waitForSelector('#composer');
    await b.waitForSelector('#conversations li.conversation');
    // Both are online: each sees the other's dot lit.
    await a.waitForSelector('#conversations li.conversation .dot.online');
    await b.waitForSelector('#conversations li.conversation .dot.online');

    // Two messages while Bob looks elsewhere: his badge counts them, with the latest as preview.
    for (const text of ['Hi Bob', 'Are you there?']) {
      await a.fill('#composer input', text);
      await a.press('#composer input', 'Enter');
    }
    await b.waitForFunction(() => document.querySelector('#conversations .badge')?.textContent === '2');
    expect(await b.locator('#conversations .preview').textContent()).toContain('Are you there?');
    await shoot(b, 'conversations');
    // Alice's messages are sent, not yet read: one tick.
    await a.waitForFunction(() => [...document.querySelectorAll('#messages .ticks')].map((e) => e.textContent?.trim()).join() === '✓,✓');

    // Bob opens it: the badge clears, Alice's ticks turn to read.
    await b.click('#conversations li.conversation');
    await b.waitForFunction(() => document.querySelectorAll('#messages li.message').length === 2);
    expect(await badge(b).count()).toBe(0);
    await a.waitForFunction(() => [...document.querySelectorAll('#messages .ticks')].every((e) => e.textContent?.trim() === '✓✓'));

    // Bob types: Alice sees the typing line; he sends, and it clears.
    await b.fill('#composer input', 'Here');
    await b.type('#composer input', '!');
    await a.waitForFunction((name) => document.querySelector('#typing')?.textContent === `${name} is typing…`, bob.username);
    await shoot(a, 'conversation');
    await b.press('#composer input', 'Enter');
    await a.waitForFunction(() => [...document.querySelectorAll('#messages .text')].some((e) => e.textContent === 'Here!'));
    await a.waitForFunction(() => document.querySelector('#typing')?.textContent === '');

    // A reload keeps the login, the open conversation and its messages, with nothing unread.
    await b.reload();
    await b.waitForFunction(() => document.querySelectorAll('#messages li.message').length === 3);
    expect(await messageTexts(b)).toEqual(['Hi Bob', 'Are you there?', 'Here!']);
    expect(await badge(b).count()).toBe(0);

    // Bob's network drops mid-conversation: Alice goes on, Bob writes too; nothing is lost or doubled.
    proxy.cut();
    await b.waitForFunction(() => document.querySelector('#status')?.textContent === 'reconnecting…');
    for (const text of ['While you were away 1', 'While you were away 2', 'While you were away 3']) {
      await a.fill('#composer input', text);
      await a.press('#composer input', 'Enter');
    }
    await b.fill('#composer input', 'Sent from the tunnel');
    await b.press('#composer input', 'Enter');
    await b.waitForSelector('#messages li.pending');
    await shoot(b, 'offline');
    proxy.restore();
    await b.waitForFunction(() => document.querySelectorAll('#messages li.message:not(.pending)').length === 7, undefined, { timeout: 20_000 });
    await a.waitForFunction(() => [...document.querySelectorAll('#messages .text')].some((e) => e.textContent === 'Sent from the tunnel'), undefined, { timeout: 20_000 });
    const expected = ['Hi Bob', 'Are you there?', 'Here!', 'While you were away 1', 'While you were away 2', 'While you were away 3', 'Sent from the tunnel'];
    expect(await messageTexts(b)).toEqual(expected);
    expect(await messageTexts(a)).toEqual(expected);
    expect(await b.locator('#messages li.pending').count()).toBe(0);
    expect(await b.locator('#status').textContent()).toBe('');

    // Alice edits one message and deletes another: Bob sees both at once.
    const edited = a.locator('#messages li.message', { hasText: 'While you were away 1' });
    await edited.locator('.edit-button').click();
    await a.fill('#messages form.edit input', 'While you were away (edited)');
    await a.press('#messages form.edit input', 'Enter');
    await a.locator('#messages li.message', { hasText: 'While you were away 2' }).locator('.delete-button').click();
    await b.waitForFunction(() => [...document.querySelectorAll('#messages .text')].some((e) => e.textContent === 'While you were away (edited)'));
    await b.waitForFunction(() => [...document.querySelectorAll('#messages .text')].some((e) => e.textContent === 'This message was deleted'));

    // Search finds words in their other forms and opens the conversation from a result.
    await b.fill('#search input', 'tunnels');
    await b.press('#search input', 'Enter');
    await b.waitForSelector('#search-results li.result');
    expect(await b.locator('#search-results .text').allTextContents()).toEqual(['Sent from the tunnel']);
    await shoot(b, 'search');
    await b.click('#search-results li.result');
    await b.waitForSelector('#composer');

    // The server stored each message once, and Bob has read them all.
    const id = Number(await b.locator('#conversations li.conversation').getAttribute('data-id'));
    const stored = await t.http().get(`/api/conversations/${id}/messages/`).set('Authorization', `Bearer ${bob.access}`).expect(200);
    expect(stored.body.map((m: { text: string; deleted: boolean }) => (m.deleted ? 'deleted' : m.text))).toEqual([
      'Hi Bob', 'Are you there?', 'Here!', 'While you were away (edited)', 'deleted', 'While you were away 3', 'Sent from the tunnel',
    ]);
    const unread = await t.http().get('/api/unread/').set('Authorization', `Bearer ${bob.access}`).expect(200);
    expect(unread.body.conversations).toEqual([]);
  }, 120_000);
});
