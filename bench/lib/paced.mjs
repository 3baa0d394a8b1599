import http from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { round, summarise } from './stats.mjs';

/**
 * Open-loop load at an even pace: request i is due at start + i/rate and its latency counts from
 * that due time, so a slow server cannot slow the load down (no coordinated omission).
 * autocannon's own rate limit lets each connection send its whole per-second quota back to back
 * at the start of every second, which measures bursts at closed-loop concurrency, not a rate.
 */
export async function paced({ url, method = 'GET', headers = {}, body, rate, duration, maxSockets = 128 }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  const target = new URL(url);
  const total = Math.max(1, Math.floor(rate * duration));
  const interval = 1000 / rate;
  const samples = [];
  const bySecond = [];
  let errors = 0;
  let non2xx = 0;
  const requestHeaders = body === undefined ? headers : { ...headers, 'content-length': Buffer.byteLength(body) };
  // The load generator's own stalls count as latency here (a request is late from its due time),
  // so its event loop is watched too: a tail it caused shows up as clientStallMs.
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const start = performance.now() + 5;
  await new Promise((resolve) => {
    let scheduled = 0;
    let done = 0;
    const finish = () => {
      if (++done === total) resolve();
    };
    const fire = (due) => {
      const request = http.request({ agent, host: target.hostname, port: target.port, path: target.pathname + target.search, method, headers: requestHeaders }, (response) => {
        if (response.statusCode < 200 || response.statusCode >= 300) non2xx++;
        response.resume();
        response.on('end', () => {
          const latency = performance.now() - due;
          samples.push(latency);
          (bySecond[Math.floor((due - start) / 1000)] ??= []).push(latency);
          finish();
        });
      });
      request.on('error', () => {
        errors++;
        finish();
      });
      request.end(body);
    };
    const tick = () => {
      const now = performance.now();
      while (scheduled < total && start + scheduled * interval <= now) fire(start + scheduled++ * interval);
      if (scheduled < total) setTimeout(tick, Math.max(0, start + scheduled * interval - performance.now()));
    };
    setTimeout(tick, 5);
  });
  agent.destroy();
  loop.disable();
  if (errors || non2xx) throw new Error(`${url}: ${errors} errors, ${non2xx} non-2xx at ${rate} req/s`);
  // Per second of the schedule (by due time): where in the run a tail came from.
  const perSecond = Array.from(bySecond, (values) => {
    const { count, p99, max } = summarise(values ?? []);
    return { count, p99: round(p99, 1), max: round(max, 1) };
  });
  return { rate, requests: total, clientStallMs: round(loop.max / 1e6, 1), latency: { ...summarise(samples), perSecond } };
}
