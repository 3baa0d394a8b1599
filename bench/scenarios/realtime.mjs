import { clientProcess, collect } from '../lib/clients.mjs';
import { alternate, medianRun } from '../lib/load.mjs';
import { round } from '../lib/stats.mjs';

const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One fan-out target: receivers (members of the room) spread over client processes and the
 * servers in `urls`, and one sender on `urls[0]`.
 */
export async function fanoutTarget(ctx, { kind, urls, servers, tokenFor }) {
  const { fanMembers, fanout } = { fanMembers: ctx.seed.fanMembers, fanout: ctx.seed.conversations.fanout };
  const tokens = fanMembers.map(tokenFor);
  const processes = Math.max(ctx.settings.clientProcesses, urls.length);
  const share = Math.ceil(tokens.length / processes);
  const receivers = Array.from({ length: processes }, clientProcess);
  await Promise.all(
    receivers.map((p, i) => p.call('connect', { kind, url: urls[i % urls.length], tokens: tokens.slice(i * share, (i + 1) * share), conversation: fanout, room: ctx.seed.rooms.fanout })),
  );
  const sender = clientProcess();
  await sender.call('sender', { kind, url: urls[0], token: tokenFor(fanMembers[0]), conversation: fanout, room: ctx.seed.rooms.fanout });
  const members = tokens.length;

  /** Sends for `duration` s, waits for the deliveries to settle, returns delivered/s and latency. */
  async function measure(sendArgs) {
    await Promise.all(receivers.map((p) => p.call('reset')));
    const cpuBefore = servers.reduce((sum, server) => sum + server.cpuSeconds(), 0);
    const sent = await sender.call('send', { size: 1024, ...sendArgs });
    const expected = sent.acked * members;
    let report = await collect(receivers);
    for (let waited = 0; report.deliveries < expected && waited < 10_000; waited += 100) {
      await delay(100);
      report = await collect(receivers);
    }
    const seconds = (Math.max(report.lastDeliveryAt, sent.endedAt) - sent.startedAt) / 1000;
    const cpuSeconds = servers.reduce((sum, server) => sum + server.cpuSeconds(), 0) - cpuBefore;
    return {
      serverCpuMsPer1000Deliveries: report.deliveries ? (cpuSeconds * 1e6) / report.deliveries : null, sent: sent.sent, acked: sent.acked, deliveries: report.deliveries, lost: Math.max(0, expected - report.deliveries), errors: report.errors, messagesPerSecond: sent.acked / seconds, deliveredPerSecond: report.deliveries / seconds, latency: report.latency };
  }
  return {
    measure,
    async close() {
      await Promise.all([...receivers, sender].map((p) => p.exit()));
    },
  };
}

/** Peak (closed loop, 32 sends in flight) alternated, then p99 at a common steady rate. */
async function compareFanout(ctx, app, baseline) {
  const peak = { mode: 'window', window: 32, duration: ctx.settings.duration };
  await app.measure({ ...peak, duration: ctx.settings.warmup });
  await baseline.measure({ ...peak, duration: ctx.settings.warmup });
  const { appRuns, baselineRuns: baseRuns } = await alternate(ctx.settings.rounds, () => app.measure(peak), () => baseline.measure(peak));
  const appPeak = medianRun(appRuns, 'deliveredPerSecond');
  const basePeak = medianRun(baseRuns, 'deliveredPerSecond');
  for (const r of [...appRuns, ...baseRuns]) if (r.lost || r.errors) throw new Error(`lost ${r.lost} deliveries, ${r.errors} errors`);
  const rate = Math.max(1, Math.round(Math.min(appPeak.messagesPerSecond, basePeak.messagesPerSecond) / 2));
  const steadyApp = await app.measure({ mode: 'rate', rate, duration: ctx.settings.duration });
  const steadyBase = await baseline.measure({ mode: 'rate', rate, duration: ctx.settings.duration });
  return { appPeak, basePeak, rate, steadyApp, steadyBase, appRuns, baseRuns };
}

function fanoutRows(r, { throughputGoal, latencyGoal = 3 }) {
  const ratio = round(r.appPeak.deliveredPerSecond / r.basePeak.deliveredPerSecond, 2);
  const cpu = (run) => round(run.serverCpuMsPer1000Deliveries, 1);
  const rows = [
    { metric: 'delivered messages/s (peak)', unit: '/s', app: round(r.appPeak.deliveredPerSecond, 0), baseline: round(r.basePeak.deliveredPerSecond, 0), ratio, goal: `≥ ${throughputGoal}×`, met: ratio >= throughputGoal, runs: { app: r.appRuns, baseline: r.baseRuns } },
  ];
  if (latencyGoal !== null) {
    const p99 = round(r.steadyApp.latency.p99 / Math.max(r.steadyBase.latency.p99, 0.1), 2);
    rows.push({ metric: 'server CPU ms per 1,000 deliveries (peak)', unit: 'ms', app: cpu(r.appPeak), baseline: cpu(r.basePeak), ratio: round(r.appPeak.serverCpuMsPer1000Deliveries / r.basePeak.serverCpuMsPer1000Deliveries, 2), goal: '(reported)', met: null });
    rows.push({ metric: `send→receive p99 at ${r.rate} msg/s`, unit: 'ms', app: round(r.steadyApp.latency.p99, 2), baseline: round(r.steadyBase.latency.p99, 2), ratio: p99, goal: `≤ ${latencyGoal}×`, met: p99 <= latencyGoal, steady: { app: r.steadyApp, baseline: r.steadyBase } });
  }
  return rows;
}

/** The app against a bare relay of the same protocol (`kind`), one room, fan-out goals. */
function relayScenario({ id, name, title, kind, baselineName, baselineScript }) {
  return {
    id,
    name,
    title,
    async run(ctx) {
      const app = await ctx.start('app', 'dist/src/main.js');
      const base = await ctx.start(baselineName, baselineScript);
      const tokenFor = (userId) => ctx.token(userId);
      const appTarget = await fanoutTarget(ctx, { kind, urls: [app.url], servers: [app], tokenFor });
      const baseTarget = await fanoutTarget(ctx, { kind, urls: [base.url], servers: [base], tokenFor });
      try {
        return fanoutRows(await compareFanout(ctx, appTarget, baseTarget), { throughputGoal: 0.9 });
      } finally {
        await appTarget.close();
        await baseTarget.close();
      }
    },
  };
}

export const fanout = relayScenario({
  id: 6,
  name: 'fanout',
  title: 'Socket.IO fan-out: one room, 100 members, 1 KB messages, against a bare socket.io relay',
  kind: 'sio',
  baselineName: 'socket.io',
  baselineScript: 'bench/baselines/socketio.mjs',
});

export const cluster = {
  id: 7,
  name: 'cluster',
  title: 'the same fan-out across two instances through Redis, against one instance',
  async run(ctx) {
    if (!ctx.redisUrl) return [{ metric: 'delivered messages/s', unit: '/s', app: null, baseline: null, ratio: null, goal: '≥ 0.9×', met: null, note: 'no Redis reachable' }];
    const single = await ctx.start('app', 'dist/src/main.js');
    const redisEnv = { REDIS_URL: ctx.redisUrl, REDIS_KEY_PREFIX: `palaver-bench-${process.pid}` };
    const a = await ctx.start('app A', 'dist/src/main.js', redisEnv);
    const b = await ctx.start('app B', 'dist/src/main.js', redisEnv);
    const tokenFor = (id) => ctx.token(id);
    const pair = await fanoutTarget(ctx, { kind: 'sio', urls: [a.url, b.url], servers: [a, b], tokenFor });
    const one = await fanoutTarget(ctx, { kind: 'sio', urls: [single.url], servers: [single], tokenFor });
    try {
      const r = await compareFanout(ctx, pair, one);
      return fanoutRows(r, { throughputGoal: 0.9, latencyGoal: null }).map((row) => ({ ...row, metric: `${row.metric}: two instances vs one`, goal: '≥ 0.9× (≤ 10% cost)' }));
    } finally {
      await pair.close();
      await one.close();
    }
  },
};

export const rooms = relayScenario({
  id: 10,
  name: 'rooms',
  title: 'plain WebSocket room fan-out, 100 members, against a bare ws broadcast',
  kind: 'ws',
  baselineName: 'ws',
  baselineScript: 'bench/baselines/ws.mjs',
});

export const idle = {
  id: 8,
  name: 'idle',
  title: '10,000 idle authenticated Socket.IO connections: memory against a bare socket.io server',
  async run(ctx) {
    const count = ctx.seed.idleUsers.length;
    const tokens = ctx.seed.idleUsers.map((id) => ctx.token(id));
    const measure = async (server) => {
      const before = await server.memory();
      const share = Math.ceil(count / ctx.settings.clientProcesses);
      const procs = Array.from({ length: ctx.settings.clientProcesses }, clientProcess);
      const started = Date.now();
      const connected = await Promise.all(procs.map((p, i) => p.call('connect', { kind: 'sio', url: server.url, tokens: tokens.slice(i * share, (i + 1) * share), parallel: 50 })));
      const connectSeconds = (Date.now() - started) / 1000;
      await delay(1000);
      const after = await server.memory();
      await Promise.all(procs.map((p) => p.exit()));
      const { maxRssBytes } = await server.stop();
      const n = connected.reduce((sum, c) => sum + c.connected, 0);
      if (n !== count) throw new Error(`${server.name}: ${n} of ${count} connected`);
      return { heapPerConnection: (after.heapUsed - before.heapUsed) / n, rssPerConnection: (after.rss - before.rss) / n, connectSeconds, before, after, maxRssBytes };
    };
    // A freshly started instance (external PostgreSQL, nothing connected) against a bare Nest app
    // with the same packages loaded.
    const nest = await ctx.start('bare nest', 'bench/baselines/nest-bare.mjs');
    const bareNest = await nest.memory();
    await nest.stop();
    const app = await measure(await ctx.start('app', 'dist/src/main.js'));
    const base = await measure(await ctx.start('socket.io', 'bench/baselines/socketio.mjs'));
    const heapRatio = round(app.heapPerConnection / base.heapPerConnection, 2);
    const rssRatio = round(app.rssPerConnection / base.rssPerConnection, 2);
    const freshRatio = round(app.before.rss / bareNest.rss, 2);
    const kb = (bytes) => round(bytes / 1024, 1);
    const mb = (bytes) => round(bytes / 2 ** 20, 1);
    return [
      { metric: 'fresh instance RSS (no connections) vs a bare Nest app with the same packages', unit: 'MiB', app: mb(app.before.rss), baseline: mb(bareNest.rss), ratio: freshRatio, goal: '≤ 1.5×', met: freshRatio <= 1.5, details: { app: app.before, baseline: bareNest } },
      { metric: `heap per connection (${count.toLocaleString('en')} connections)`, unit: 'KiB', app: kb(app.heapPerConnection), baseline: kb(base.heapPerConnection), ratio: heapRatio, goal: '≤ 1.3×', met: heapRatio <= 1.3, details: { app, baseline: base } },
      { metric: 'RSS per connection', unit: 'KiB', app: kb(app.rssPerConnection), baseline: kb(base.rssPerConnection), ratio: rssRatio, goal: '≤ 1.3×', met: rssRatio <= 1.3 },
      { metric: 'peak RSS of the process (time -v)', unit: 'MiB', app: round(app.maxRssBytes / 2 ** 20, 0), baseline: round(base.maxRssBytes / 2 ** 20, 0), ratio: round(app.maxRssBytes / base.maxRssBytes, 2), goal: '(reported)', met: null },
    ];
  },
};
