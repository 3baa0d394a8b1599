import WebSocket from 'ws';
import { cannon, compareRps } from '../lib/load.mjs';
import { round } from '../lib/stats.mjs';

const bearer = (token) => ({ authorization: `Bearer ${token}` });

/** Bytes of one answer, and its time from request to last byte. */
async function fetchOnce(url, headers) {
  const started = performance.now();
  const response = await fetch(url, { headers });
  const body = Buffer.from(await response.arrayBuffer());
  if (!response.ok) throw new Error(`${url}: ${response.status} ${body.toString().slice(0, 200)}`);
  return { bytes: body.length, ms: performance.now() - started, items: JSON.parse(body.toString()).length };
}

/**
 * How much a fresh server's resident memory grows while `readers` clients read the whole list
 * over and over: peak RSS (from `time -v`, at exit) minus its RSS once started and collected.
 * A fresh process, so nothing from earlier load is counted.
 */
async function rssGrowth(ctx, name, script, url, headers, readers, env) {
  const server = await ctx.start(name, script, env);
  const idle = (await server.memory(true)).rss;
  await cannon({ url: `${server.url}${url}`, headers, connections: readers, duration: ctx.settings.duration });
  const { maxRssBytes } = await server.stop();
  return maxRssBytes === null ? null : maxRssBytes - idle;
}

/** Time from the WebSocket opening to the whole first frame (the room's history), and its size. */
function firstFrame(url) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const ws = new WebSocket(url);
    ws.once('message', (data) => {
      const ms = performance.now() - started;
      const frame = JSON.parse(data.toString());
      ws.close();
      resolve({ ms, bytes: data.length, items: frame.messages.length });
    });
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
  });
}

export const whole = {
  id: 11,
  name: 'whole',
  title: 'a 10,000-message room asked for whole (no paging), as the originals answer it: REST streamed in pages, and the first WebSocket frame',
  async run(ctx) {
    const { whole: conversation } = ctx.seed.conversations;
    const size = ctx.settings.whole;
    const app = await ctx.start('app', 'dist/src/main.js');
    const base = await ctx.start('express+pg', 'bench/baselines/express-pg.mjs');
    const token = ctx.token(ctx.seed.users.historian);
    const headers = bearer(token);
    const path = `/api/conversations/${conversation}/messages/`;
    const one = await fetchOnce(`${app.url}${path}`, headers);
    const baseOne = await fetchOnce(`${base.url}${path}`, headers);
    if (one.items !== size || baseOne.items !== size) throw new Error(`expected ${size} messages, app answered ${one.items}, baseline ${baseOne.items}`);

    const connections = 4;
    const r = await compareRps({ app: { url: `${app.url}${path}`, headers }, baseline: { url: `${base.url}${path}`, headers }, settings: ctx.settings, connections });
    const latency = await cannon({ url: `${app.url}${path}`, headers, connections: 1, duration: ctx.settings.duration });
    const baseLatency = await cannon({ url: `${base.url}${path}`, headers, connections: 1, duration: ctx.settings.duration });
    // Memory as the list grows tenfold (cap raised to fit): streamed pages should not care.
    const readers = 20;
    const largePath = `/api/conversations/${ctx.seed.conversations.wholeLarge}/messages/`;
    const largeEnv = { LIST_MAX_ITEMS: String(size * 10) };
    const appGrowth = await rssGrowth(ctx, 'app (memory)', 'dist/src/main.js', path, headers, readers);
    const baseGrowth = await rssGrowth(ctx, 'express+pg (memory)', 'bench/baselines/express-pg.mjs', path, headers, readers);
    const appLarge = await rssGrowth(ctx, 'app (memory, 10×)', 'dist/src/main.js', largePath, headers, readers, largeEnv);
    const baseLarge = await rssGrowth(ctx, 'express+pg (memory, 10×)', 'bench/baselines/express-pg.mjs', largePath, headers, readers, largeEnv);

    const frames = [];
    for (let i = 0; i < 5; i++) frames.push(await firstFrame(`${app.url.replace(/^http/, 'ws')}/ws/chat/${ctx.seed.rooms.whole}/?token=${token}`));
    const frameMs = frames.map((f) => f.ms).sort((a, b) => a - b)[2];
    if (frames[0].items !== size) throw new Error(`first frame had ${frames[0].items} messages, expected ${size}`);

    const rpsRatio = round(r.app.rps / r.baseline.rps, 2);
    const ratioOf = (a, b) => (a === null || b === null ? null : round(a / b, 2));
    const growthRatio = ratioOf(appGrowth, baseGrowth);
    const largeRatio = ratioOf(appLarge, baseLarge);
    const mib = (bytes) => round(bytes / 2 ** 20, 1);
    return [
      { metric: `${size.toLocaleString('en')} messages whole: req/s (${connections} connections)`, unit: 'req/s', app: round(r.app.rps, 1), baseline: round(r.baseline.rps, 1), ratio: rpsRatio, goal: '≥ 0.7×', met: rpsRatio >= 0.7, runs: r },
      { metric: 'time to last byte, 1 connection (mean)', unit: 'ms', app: round(latency.latency.mean, 1), baseline: round(baseLatency.latency.mean, 1), ratio: round(latency.latency.mean / baseLatency.latency.mean, 2), goal: '(reported)', met: null },
      { metric: 'answer size', unit: 'KiB', app: round(one.bytes / 1024, 0), baseline: round(baseOne.bytes / 1024, 0), ratio: null, goal: '(reported)', met: null },
      { metric: `peak RSS growth, ${readers} readers at once`, unit: 'MiB', app: mib(appGrowth), baseline: mib(baseGrowth), ratio: growthRatio, goal: '(reported)', met: null },
      { metric: `peak RSS growth, ${readers} readers of ${(size * 10).toLocaleString('en')} messages`, unit: 'MiB', app: mib(appLarge), baseline: mib(baseLarge), ratio: largeRatio, goal: '≤ 0.5×', met: largeRatio === null ? null : largeRatio <= 0.5 },
      { metric: 'peak RSS growth, 10× the messages vs 1× (app)', unit: '×', app: ratioOf(appLarge, appGrowth), baseline: ratioOf(baseLarge, baseGrowth), ratio: null, goal: 'app ≤ 2×', met: appLarge !== null && appGrowth !== null && appLarge / appGrowth <= 2 },
      { metric: 'WebSocket: open → whole first frame (median of 5)', unit: 'ms', app: round(frameMs, 1), baseline: null, ratio: null, goal: '< 500 ms', met: frameMs < 500, frames },
    ];
  },
};
